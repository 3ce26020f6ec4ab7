from django import forms
from django.utils.translation import gettext_lazy as _

from imports.models import Kind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=Kind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_(".xlsx 或 .csv(UTF-8 或 GB18030);第一张工作表,表头用纸面表格的栏目名。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv", ".txt")):
            raise forms.ValidationError(_("只能导入 .xlsx 或 .csv 文件。"))
        return upload
