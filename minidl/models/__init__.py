"""``minidl.models``: the model zoo, built only from the public ``minidl.nn`` API."""
from .lenet import LeNet5, lenet5  # noqa: F401
