__version__ = "0.1.0"

# The name on the package index: `autotts` there is an unrelated text-to-speech
# package (import name `AutoTTS`, command `easytts`), so the import name and the
# `autotts` command stay ours while the distribution is named apart.
DISTRIBUTION = "autotts-scaling"


def install_hint(extra: str) -> str:
    """The pip command that installs this package's optional ``extra``."""
    return f"pip install '{DISTRIBUTION}[{extra}]'"
