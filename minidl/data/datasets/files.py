"""Finding, checking and downloading dataset files.

Where files are looked for, in order:
  1. the ``root`` argument of the dataset class,
  2. the ``MINIDL_DATA`` environment variable,
  3. the user cache folder ``~/.cache/minidl`` (``$XDG_CACHE_HOME/minidl`` when set).
Inside a root, a dataset's files live in ``root/<name>/`` (``mnist``, ``fashion-mnist``, ``cifar-10``),
or where torchvision unpacks them (``root/MNIST/raw/``, ``root/FashionMNIST/raw/``,
``root/cifar-10-batches-py/``).
"""
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request


class DatasetError(RuntimeError):
    """A dataset file is missing, corrupt, truncated or has the wrong checksum."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """The files are not on disk and were not (or could not be) downloaded."""


def default_root(root=None):
    if root is not None:
        return os.path.expanduser(os.fspath(root))
    if os.environ.get("MINIDL_DATA"):
        return os.path.expanduser(os.environ["MINIDL_DATA"])
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "minidl")


_MD5_CACHE = {}


def md5_of(path, chunk=1 << 20):
    """MD5 of a file (cached per path, size and modification time)."""
    stat = os.stat(path)
    key = (os.path.abspath(path), stat.st_size, stat.st_mtime_ns)
    if key not in _MD5_CACHE:
        digest = hashlib.md5()
        with open(path, "rb") as stream:
            for block in iter(lambda: stream.read(chunk), b""):
                digest.update(block)
        _MD5_CACHE[key] = digest.hexdigest()
    return _MD5_CACHE[key]


def check_md5(path, expected):
    actual = md5_of(path)
    if actual != expected:
        raise DatasetError(
            f"{path}: MD5 checksum mismatch (expected {expected}, got {actual}); the file is corrupt or not the "
            "original distribution file. Delete it and download it again."
        )


def _progress(total, desc):
    """A tqdm bar (tqdm.auto: a widget in a notebook) when tqdm is installed, else None after one
    line on stderr saying what is being downloaded (tqdm is an optional extra)."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        size = f" ({total / 1e6:.1f} MB)" if total else ""
        print(f"downloading {desc}{size}", file=sys.stderr, flush=True)
        return None
    return tqdm(total=total or None, unit="B", unit_scale=True, desc=desc, leave=False)


def download(urls, destination, md5, timeout=60):
    """Fetch a file from the first mirror that works, verify its MD5 and move it into place
    atomically; try the next mirror on any failure.  Returns the destination path."""
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    errors = []
    for url in urls:
        handle, temporary = tempfile.mkstemp(prefix=".download-", dir=os.path.dirname(destination))
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response, os.fdopen(handle, "wb") as out:
                total = int(response.headers.get("Content-Length") or 0)
                bar = _progress(total, os.path.basename(destination))
                try:
                    for block in iter(lambda: response.read(1 << 16), b""):
                        out.write(block)
                        if bar is not None:
                            bar.update(len(block))
                finally:
                    if bar is not None:
                        bar.close()
            check_md5(temporary, md5)
            os.replace(temporary, destination)
            return destination
        except Exception as error:  # a dead mirror, a timeout, a corrupted transfer: try the next
            errors.append(f"{url}: {error}")
        finally:
            if os.path.exists(temporary):
                os.remove(temporary)
    raise DatasetNotFoundError(f"could not download {os.path.basename(destination)} from any mirror:\n  " + "\n  ".join(errors))


def locate(name, filenames, root, display):
    """The folder under ``root`` holding all ``filenames``, or None."""
    for folder in (os.path.join(root, name), root):
        if all(os.path.exists(os.path.join(folder, f)) for f in filenames):
            return folder
    return None


def missing_message(display, name, filenames, root, hint=""):
    folder = os.path.join(root, name)
    absent = [f for f in filenames if not os.path.exists(os.path.join(folder, f))]
    return (
        f"{display}: dataset files not found: {', '.join(absent)}.\n"
        f"Looked in {folder} (root {root!r}: the root argument, else $MINIDL_DATA, else ~/.cache/minidl).\n"
        f"Point minidl at a folder that has a '{name}/' subfolder with these files "
        f"(root='path' or MINIDL_DATA=path), or pass download=True on a machine with internet.{hint}"
    )


def copy_into(source_folder, root, name, filenames):  # pragma: no cover - a convenience for users
    """Copy already-downloaded files into ``root/name``."""
    os.makedirs(os.path.join(root, name), exist_ok=True)
    for f in filenames:
        shutil.copy2(os.path.join(source_folder, f), os.path.join(root, name, f))
