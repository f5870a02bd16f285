"""``minidl.hub.load_state_dict_from_url``: weights by URL, cached on disk (``torch.hub``'s function).

The file is looked for, in order: at a ``file://`` URL itself; in ``model_dir`` (default
``$MINIDL_HOME/hub/checkpoints``, else ``~/.cache/minidl/hub/checkpoints``); in PyTorch's cache
(``$TORCH_HOME/hub/checkpoints`` or ``~/.cache/torch/hub/checkpoints``), so weights PyTorch already
downloaded are reused.  Otherwise it is downloaded into ``model_dir`` (atomically); without a
network the error names the file and the folder to put it in.  The file is read by
``minidl.load``, which never runs pickled code.
"""
import hashlib
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from . import serialization


def get_dir():
    """The hub folder: ``$MINIDL_HOME/hub`` or ``~/.cache/minidl/hub``."""
    home = os.environ.get("MINIDL_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "minidl")
    return os.path.join(home, "hub")


def _torch_cache():
    home = os.environ.get("TORCH_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "torch")
    return os.path.join(home, "hub", "checkpoints")


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False, file_name=None,
                             weights_only=True):
    """The state dict stored at ``url`` (a minidl checkpoint or a PyTorch ``.pt``/``.pth`` file).

    ``check_hash``: the file name's part after its last '-' must start the file's SHA-256 (PyTorch's
    convention for published weights).  ``progress`` and ``weights_only`` are accepted (minidl never
    unpickles code).  Raises FileNotFoundError naming where to place the file when it cannot be had.
    """
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "file":
        path = urllib.request.url2pathname(parsed.path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"load_state_dict_from_url: no file at {path!r} (from {url!r})")
    else:
        name = file_name or os.path.basename(parsed.path)
        folder = model_dir or os.path.join(get_dir(), "checkpoints")
        candidates = [os.path.join(folder, name), os.path.join(_torch_cache(), name)]
        path = next((c for c in candidates if os.path.exists(c)), None)
        if path is None:
            path = _download(url, os.path.join(folder, name))
    if check_hash:
        _check_hash(path)
    return serialization.load(path, map_location=map_location)


def _download(url, target):
    os.makedirs(os.path.dirname(target), exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(target))
    try:
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
            shutil.copyfileobj(response, out)
        os.replace(temporary, target)
        return target
    except (urllib.error.URLError, OSError) as error:
        raise FileNotFoundError(
            f"load_state_dict_from_url: could not download {url!r} ({error}); without a network, place the file "
            f"{os.path.basename(target)!r} in {os.path.dirname(target)!r} and call again") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def _check_hash(path):
    match = re.search(r"-([a-f0-9]+)\.", os.path.basename(path))
    if not match:
        raise RuntimeError(f"load_state_dict_from_url: check_hash needs a file name ending in -<sha256 prefix>.ext, "
                           f"got {os.path.basename(path)!r}")
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    if not digest.hexdigest().startswith(match.group(1)):
        raise RuntimeError(f"load_state_dict_from_url: {path!r} has SHA-256 {digest.hexdigest()[:16]}…, but its name "
                           f"says {match.group(1)}: the file is corrupt or not the one published")
