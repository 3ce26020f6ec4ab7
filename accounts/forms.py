"""Fields that pick a person, offered from the cached directory."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.directory import directory
from accounts.models import User
from accounts.selectors import user_assignable_list
from core.forms import ListedChoiceField


class UserChoiceField(ListedChoiceField):
    """Picks a person (``listed``: people from the cached directory)."""

    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name}({obj.team or obj.get_role_display()})"


def limit_people(form: forms.BaseForm, user: Any) -> None:
    """Every field of ``form`` that picks a person offers the people ``user`` may assign.

    Whoever the record already names stays on the list (a colleague since moved to another
    team), so opening and saving it again does not fail.
    """
    assignable = user_assignable_list(user=user)
    people = directory().assignable(user)
    for name, old in list(form.fields.items()):
        if not isinstance(old, forms.ModelChoiceField) or old.queryset is None or old.queryset.model is not User:
            continue
        queryset, listed = assignable, people
        current = form.initial.get(name)
        if current and all(str(p.pk) != str(current) for p in people):
            named = User.objects.filter(pk=current)
            queryset = assignable | named
            listed = [*people, *named.select_related("team")]
        form.fields[name] = UserChoiceField(
            queryset=queryset,
            listed=listed,
            required=old.required,
            label=old.label,
            help_text=old.help_text,
            initial=old.initial,
        )
