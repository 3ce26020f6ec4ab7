from django.core.checks import Warning, register

from forms_toolkit import print_fonts


@register()
def chinese_print_font(app_configs, **kwargs):
    """A server without Noto Sans CJK SC prints every form's Chinese as empty boxes: say so at start-up."""
    reason = print_fonts.missing()
    if reason is None:
        return []
    return [
        Warning(
            f"Printed forms have no Chinese font: {reason}.",
            hint="Install Noto Sans CJK SC (Debian and Ubuntu: apt-get install fonts-noto-cjk), then restart.",
            id="forms_toolkit.W001",
        )
    ]
