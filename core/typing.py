"""Types shared across apps."""

from django.utils.functional import Promise

# A text shown to the user: a plain string or a lazy translation (gettext_lazy) read when it is rendered.
Label = str | Promise
