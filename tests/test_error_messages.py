"""Bad input gets a typed error from sdmodel.exceptions whose message names the culprit.

Each section pins the messages of one part of the library.
"""

from __future__ import annotations

import pytest

import sdmodel as sd
from sdmodel import exceptions as exc
