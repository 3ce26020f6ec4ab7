from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Channel, ChannelChoice, Event, Robot


class ChannelsForm(forms.Form):
    """A checkbox for each event and channel: ``<event>__<channel>``."""

    def __init__(self, *args, choice: ChannelChoice, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for event in Event:
            chosen = choice.for_event(event.value)
            cells = []
            for channel in Channel:
                name = f"{event.value}__{channel.value}"
                self.fields[name] = forms.BooleanField(
                    label=f"{event.label} · {channel.label}", required=False, initial=channel.value in chosen
                )
                cells.append(name)
            self.rows.append((event, [self[name] for name in cells]))

    def channels(self) -> dict[str, list[str]]:
        return {
            event.value: [c.value for c in Channel if self.cleaned_data.get(f"{event.value}__{c.value}")]
            for event in Event
        }


class RobotForm(forms.ModelForm):
    for_team = forms.BooleanField(label=_("发到本团队的群(团队所有人的消息)"), required=False)

    class Meta:
        model = Robot
        fields = ["kind", "name", "url", "secret"]
        widgets = {"secret": forms.PasswordInput(render_value=True, attrs={"autocomplete": "off"})}
        help_texts = {
            "url": _("在群设置 → 群机器人 → 添加自定义机器人后复制的地址。"),
            "secret": _("钉钉、飞书的“加签”安全设置:填了就对每条消息签名。"),
        }

    def __init__(self, *args, may_team: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_team:
            del self.fields["for_team"]
