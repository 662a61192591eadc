"""Register pipeline factories once, whichever copy of this package gets imported first.

The package exists in several copies in one environment: the project's own (installed with
`pip install -e .`, found through the `spacy_factories` entry point) and one vendored inside each
model wheel (fr_minister_meetings_md, fr_minister_meetings_trf). spaCy refuses a second
registration of a factory name from another file (error E004), so the later copies reuse the
factory that is already registered instead of registering their own.
"""
from __future__ import annotations

from typing import Any, Callable

import catalogue
from spacy.language import Language


def factory_once(name: str, **factory_meta: Any) -> Callable[[Callable], Callable]:
    def register(function: Callable) -> Callable:
        # check the registry itself, not the entry points, which would import this package again
        if not catalogue.check_exists("spacy", "factories", name):
            Language.factory(name, **factory_meta)(function)
        return function

    return register
