"""The wizard uses Textual (and every other dependency) through its public API only.

A method whose name starts with an underscore is the library's own business: the next
release may rename it or change what calls it, silently. So no class of the wizard may
define a method that a Textual base class defines under a private name (``_on_key``,
``_handle_exception``): the override would be that kind of dependency.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import wizard


def _wizard_classes() -> list[type]:
    classes: list[type] = []
    for module_info in pkgutil.walk_packages(wizard.__path__, "wizard."):
        if module_info.name.endswith("__main__"):  # running it starts the wizard
            continue
        module = importlib.import_module(module_info.name)
        classes += [
            cls
            for _, cls in inspect.getmembers(module, inspect.isclass)
            if cls.__module__ == module.__name__
        ]
    return classes


def test_no_private_textual_method_is_overridden() -> None:
    overridden = sorted(
        f"{cls.__module__}.{cls.__qualname__}.{name} (private in {base.__qualname__})"
        for cls in _wizard_classes()
        for base in cls.__mro__[1:]
        if base.__module__.split(".")[0] == "textual"
        for name, value in vars(cls).items()
        if name.startswith("_")
        and not name.startswith("__")
        and callable(value)
        and name in vars(base)
    )
    assert not overridden, "\n".join(overridden)
