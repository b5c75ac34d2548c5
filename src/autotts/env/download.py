"""Moved to :mod:`autotts.data.published` (and :mod:`autotts.data.transfer`);
this alias keeps older imports working."""

from autotts.data.published import *  # noqa: F403
from autotts.data.published import BASE_URL_ENV, DownloadError, ensure_data, pull  # noqa: F401
