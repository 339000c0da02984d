"""CLI sub-commands, one module each, each exposing ``register(subparsers)``."""


def comma_list(values) -> list[str]:
    """Names from repeatable, comma-separated options (``--benchmark a,b --benchmark c``), blanks dropped."""
    return [x.strip() for group in values or [] for x in group.split(",") if x.strip()]
