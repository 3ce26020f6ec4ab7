"""Files with projects, customers and paper forms: who may read and add them, what is refused, and
that a removal leaves its history."""

import io
import os

import pytest
from django.urls import reverse

from attachments.models import Attachment
from attachments.services import attachments_add
from tests.attachments.files import docx_bytes, jpeg_bytes, pdf_bytes, png_bytes, upload


def _post(client, url, *files, kind="other", caption="", htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(url, {"upload": list(files), "kind": kind, "caption": caption}, headers=headers)


@pytest.fixture
def project_files_url(project):
    return reverse("attachments:project", args=[project.pk])


def test_a_rep_uploads_several_files_at_once_with_a_kind_and_a_caption(client_for, rep, project, project_files_url):
    client = client_for(rep)
    response = _post(
        client,
        project_files_url,
        upload("招标文件.pdf", pdf_bytes()),
        upload("方案.docx", docx_bytes()),
        kind="tender",
        caption="第一轮招标",
    )
    assert response.status_code == 302
    files = list(Attachment.objects.filter(project=project).order_by("name"))
    assert [a.name for a in files] == ["招标文件.pdf", "方案.docx"]
    assert {a.kind for a in files} == {"tender"} and {a.caption for a in files} == {"第一轮招标"}
    assert files[0].content_type == "application/pdf" and files[0].uploaded_by == rep
    page = client.get(project_files_url, headers={"HX-Request": "true"}).content.decode()
    assert "招标文件.pdf" in page and "第一轮招标" in page and 'capture="environment"' in page and "multiple" in page


def test_an_image_gets_a_thumbnail_and_is_sent_as_a_download(client_for, rep, project, project_files_url):
    client = client_for(rep)
    _post(client, project_files_url, upload("现场.jpg", jpeg_bytes()), kind="photo")
    photo = Attachment.objects.get(project=project)
    assert photo.thumbnail
    from PIL import Image

    thumb = client.get(reverse("attachments:thumbnail", args=[photo.pk]))
    assert thumb["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(thumb.streaming_content))) as image:
        assert max(image.size) <= 320
    download = client.get(reverse("attachments:download", args=[photo.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == jpeg_bytes()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("报价.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("图纸.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("照片.jpg", b"<html><body>not a photo</body></html>"),
        ("合同.docx", b"PK\x03\x04 not really a zip"),
        ("报价.pdf", png_bytes()),  # a real image under another type's name
    ],
)
def test_a_disguised_file_is_refused_and_nothing_is_kept(client_for, rep, project, project_files_url, name, content):
    response = _post(client_for(rep), project_files_url, upload(name, content), caption="我的说明")
    assert response.status_code == 400
    page = response.content.decode()
    assert "内容与其文件类型不符" in page and "我的说明" in page  # the caption as typed
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("name", ["page.html", "logo.svg", "run.js", "data.exe", "noext"])
def test_types_outside_the_list_are_refused(client_for, rep, project_files_url, name):
    response = _post(client_for(rep), project_files_url, upload(name, b"anything"))
    assert response.status_code == 400 and "只接受" in response.content.decode()
    assert not Attachment.objects.exists()


def test_the_size_limit_comes_from_settings(client_for, rep, project_files_url, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = _post(client_for(rep), project_files_url, upload("大文件.pdf", pdf_bytes() + b"0" * 2048))
    assert response.status_code == 400 and "超过了" in response.content.decode()


def test_one_refused_file_refuses_the_whole_upload(client_for, rep, project_files_url):
    response = _post(client_for(rep), project_files_url, upload("好.pdf", pdf_bytes()), upload("坏.pdf", b"<html>"))
    assert response.status_code == 400 and not Attachment.objects.exists()


def test_files_of_a_customer_and_of_a_paper_form(client_for, rep, customer, project):
    from demo.forms import demo_stage_form

    client = client_for(rep)
    assert (
        _post(client, reverse("attachments:customer", args=[customer.pk]), upload("资质.pdf", pdf_bytes())).status_code
        == 302
    )
    report = demo_stage_form("F05", project=project, by=rep, status="approved")
    url = reverse("attachments:form", args=["F05", report.pk])
    assert _post(client, url, upload("签字页.jpg", jpeg_bytes()), kind="signed").status_code == 302
    assert Attachment.objects.get(customer=customer).name == "资质.pdf"
    scan = Attachment.objects.get(form__form_code="F05", form__form_id=report.pk)
    # the form's page says where its files are; the section names the signed scan as the signature's evidence
    page = client.get(report.get_absolute_url()).content.decode()
    assert url in page
    section = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "签字扫描件" in section and reverse("attachments:download", args=[scan.pk]) in section


def test_removing_keeps_a_history_row_and_deletes_the_stored_file(
    client_for, rep, project, project_files_url, django_capture_on_commit_callbacks
):
    client = client_for(rep)
    _post(client, project_files_url, upload("旧图纸.pdf", pdf_bytes()))
    attachment = Attachment.objects.get()
    stored = attachment.file.path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("attachments:remove", args=[attachment.pk]))
    assert response.status_code == 302 and not Attachment.objects.exists()
    rows = list(Attachment.history.filter(id=attachment.pk).order_by("history_date"))
    assert (
        [r.history_type for r in rows] == ["+", "-"] and rows[-1].history_user == rep and rows[-1].name == "旧图纸.pdf"
    )
    assert not os.path.exists(stored)


def test_a_teammate_reads_but_may_not_add_or_remove(client_for, rep, teammate, project, project_files_url):
    saved = attachments_add(
        record_field="project", record=project, uploads=[upload("a.pdf", pdf_bytes())], kind="other", caption="", by=rep
    )[0]
    client = client_for(teammate)
    section = client.get(project_files_url, headers={"HX-Request": "true"}).content.decode()
    assert "a.pdf" in section and 'type="file"' not in section and "删除" not in section
    assert _post(client, project_files_url, upload("b.pdf", pdf_bytes())).status_code == 403
    assert client.post(reverse("attachments:remove", args=[saved.pk])).status_code == 403


def test_another_team_and_anonymous_never_reach_a_file(client, client_for, rep, other_rep, other_manager, project):
    saved = attachments_add(
        record_field="project", record=project, uploads=[upload("a.pdf", pdf_bytes())], kind="other", caption="", by=rep
    )[0]
    for url in (reverse("attachments:download", args=[saved.pk]), reverse("attachments:project", args=[project.pk])):
        for outsider in (other_rep, other_manager):
            assert client_for(outsider).get(url).status_code == 404
    client.logout()
    anonymous = client.get(reverse("attachments:download", args=[saved.pk]))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_project_team_member_of_another_team_reads_its_files(client_for, rep, other_rep, project):
    from pipeline.models import ProjectMember

    saved = attachments_add(
        record_field="project", record=project, uploads=[upload("a.pdf", pdf_bytes())], kind="other", caption="", by=rep
    )[0]
    ProjectMember.objects.create(project=project, user=other_rep, role="engineer")
    from pipeline.models import forget_projects_elsewhere

    forget_projects_elsewhere([other_rep.pk])
    assert client_for(other_rep).get(reverse("attachments:download", args=[saved.pk])).status_code == 200


def test_a_refused_upload_through_htmx_comes_back_in_place_with_the_reason(client_for, rep, project_files_url):
    response = _post(client_for(rep), project_files_url, upload("x.pdf", b"<html>"), caption="说明留着", htmx=True)
    assert response.status_code == 200  # htmx swaps only a 2xx answer in
    page = response.content.decode()
    assert "内容与其文件类型不符" in page and "说明留着" in page and "<html" not in page.split("files-section", 1)[0]
