"""A drawn signature: drawn once, kept with each sign-off as it was, printed on the signature line."""

import base64
import io
import shutil
import subprocess

import pytest
from django.urls import reverse

from accounts.models import DrawnSignature
from forms_toolkit.models import Signoff


def _drawing(*, ink=True) -> str:
    from PIL import Image, ImageDraw

    canvas = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(canvas).line([(60, 150), (200, 40), (340, 160), (520, 60)], fill=(17, 17, 17, 255), width=4)
    out = io.BytesIO()
    canvas.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def test_a_signer_draws_once_and_the_drawing_is_kept_cropped_to_its_ink(client_for, manager):
    client = client_for(manager)
    assert client.get(reverse("signature")).status_code == 200
    response = client.post(reverse("signature"), {"drawing": _drawing()})
    assert response.status_code == 302
    from PIL import Image

    with Image.open(io.BytesIO(bytes(DrawnSignature.objects.get(user=manager).png))) as kept:
        assert kept.format == "PNG" and kept.size[0] <= 600 and kept.size[1] < 200  # the empty margins cut away
    page = client.get(reverse("signature")).content.decode()
    assert "data:image/png;base64," in page


@pytest.mark.parametrize(
    ("drawing", "reason"),
    [
        ("", "签名图像无效"),
        ("data:image/png;base64,not-base64!!", "签名图像无效"),
        ("data:image/svg+xml;base64,PHN2Zy8+", "签名图像无效"),
        (_drawing(ink=False), "请先在框内签名"),
    ],
)
def test_a_bad_or_empty_drawing_is_refused_and_nothing_kept(client_for, manager, drawing, reason):
    response = client_for(manager).post(reverse("signature"), {"drawing": drawing})
    assert response.status_code == 400 and reason in response.content.decode()
    assert not DrawnSignature.objects.exists()


@pytest.fixture
def submitted_visit(project, rep):
    from demo.forms import demo_stage_form

    return demo_stage_form("F05", project=project, by=rep, status="submitted")


def _decide(client, form, **extra):
    return client.post(
        reverse("forms_toolkit:decide", args=["F05", form.pk]), {"decision": "approve", "advice": "", **extra}
    )


def test_approving_with_the_drawn_signature_keeps_a_copy_and_prints_it(client_for, manager, submitted_visit, tmp_path):
    client = client_for(manager)
    client.post(reverse("signature"), {"drawing": _drawing()})
    page = client.get(submitted_visit.get_absolute_url()).content.decode()
    assert 'name="use_signature"' in page
    _decide(client, submitted_visit, use_signature="1")
    signoff = Signoff.objects.get()
    kept = bytes(signoff.signature_png)
    assert kept == bytes(DrawnSignature.objects.get(user=manager).png)
    # drawing a new one later leaves what was signed as it was
    client.post(reverse("signature"), {"drawing": _drawing()[:-8] + _drawing()[-8:]})
    client.post(reverse("signature"), {"remove": "1"})
    assert bytes(Signoff.objects.get().signature_png) == kept and not DrawnSignature.objects.exists()
    detail = client.get(submitted_visit.get_absolute_url()).content.decode()
    assert "data:image/png;base64," in detail and manager.display_name in detail
    if shutil.which("pdfimages"):
        pdf = client.get(reverse("forms_toolkit:pdf", args=["F05", submitted_visit.pk])).content
        printed = tmp_path / "signed.pdf"
        printed.write_bytes(pdf)
        listed = subprocess.run(["pdfimages", "-list", str(printed)], capture_output=True, text=True).stdout
        assert "image" in listed.split("\n", 2)[-1]  # the drawn signature on the signature line


def test_approving_without_a_signature_prints_the_name_and_date(client_for, manager, submitted_visit):
    client = client_for(manager)
    page = client.get(submitted_visit.get_absolute_url()).content.decode()
    assert 'name="use_signature"' not in page and reverse("signature") in page
    _decide(client, submitted_visit, use_signature="1")
    assert bytes(Signoff.objects.get().signature_png) == b""
    detail = client.get(submitted_visit.get_absolute_url()).content.decode()
    assert "data:image/png;base64," not in detail and manager.display_name in detail


def test_a_signature_is_used_only_when_the_signer_asks(client_for, manager, submitted_visit):
    client = client_for(manager)
    client.post(reverse("signature"), {"drawing": _drawing()})
    _decide(client, submitted_visit)
    assert bytes(Signoff.objects.get().signature_png) == b""
