"""A coursework kit: turn minidl into an assignment in which students write chosen layers.

    python -m minidl.coursework list
    python -m minidl.coursework make --layers conv2d,batch_norm,max_pool2d OUT/
    cd OUT && pytest -m conv2d           # the student's loop: write, test, repeat
    python -m minidl.coursework solve OUT/   # the teacher's check: reference bodies back in

``make`` copies minidl into OUT/ with the chosen functions' bodies replaced by TODO stubs (the
signature, the docstring with the shapes, a hint, and a NotImplementedError that names the
task), and copies minidl's own tests for exactly those layers, each marked with its task.
The tasks and their hints are in tasks.py; adding one is adding an entry there.
"""
from .assignment import make, solve
from .tasks import TASKS

__all__ = ["TASKS", "make", "solve"]
