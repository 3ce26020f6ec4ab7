from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("消息通知")

    def ready(self) -> None:
        from core.events import event_listeners
        from notifications import listeners

        event_listeners.register(listeners.on_event)
