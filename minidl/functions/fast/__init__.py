"""Fast twins: faster implementations of the reference path's array contracts, one module per
concern, registered through functions/dispatch.py.  Importing this package registers them; the
switch ``minidl.use_fast_paths(False)`` / ``MINIDL_FAST=0`` turns them all off."""
from . import conv, normalization, pooling  # noqa: F401  (importing registers the twins)
