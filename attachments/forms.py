from django import forms
from django.utils.translation import gettext_lazy as _

from attachments.models import Attachment
from core.uploads import accepted_suffixes


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        single = super().clean
        files = data if isinstance(data, list | tuple) else [data]
        return [single(f, initial) for f in files if f] or [single(None, initial)]


class UploadForm(forms.Form):
    upload = MultipleFileField(label=_("文件"))
    kind = forms.ChoiceField(label=_("类别"), choices=Attachment.Kind.choices, initial=Attachment.Kind.OTHER)
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].widget.attrs["accept"] = ",".join(accepted_suffixes())
