"""Refused input says so at the top and beside what is wrong, in Chinese, with what was typed kept."""

from django.urls import reverse

from forms_toolkit.registry import registry


def _create(client, rep, project, data, code="F10"):
    client.force_login(rep)
    return client.post(reverse("forms_toolkit:create", args=[code]) + f"?project={project.pk}", data)


def test_a_wrong_row_table_alone_gets_the_banner(client, rep, project, customer, post_data):
    data = post_data(registry.get("F10"), customer=customer)
    data["rows-0-weight"] = "90"
    page = _create(client, rep, project, data).content.decode()
    assert "请更正下面标出的错误,您填写的内容已保留。" in page
    assert "权重合计必须为 100%,现在是 90%。" in page


def test_an_error_on_a_rows_hidden_field_is_shown(client, rep, project, customer, post_data):
    data = post_data(registry.get("F10"), customer=customer)
    data["rows-0-id"] = "999999"  # a row that is not on this form (removed by someone else meanwhile)
    data["rows-INITIAL_FORMS"] = "1"
    response = _create(client, rep, project, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "本行" in page and "请更正下面标出的错误" in page
