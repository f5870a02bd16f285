"""TensorBoard logging with ``torch.utils.tensorboard``'s names, written by tensorboardX.

    from minidl.utils.tensorboard import SummaryWriter
    writer = SummaryWriter("runs/lenet")           # needs: pip install "minidl[tensorboard]"
    writer.add_scalar("loss/train", loss, step)    # a minidl tensor, a NumPy value or a float
    writer.add_graph(model, images)                # the graph of one traced forward pass
    writer.close()
    # then: tensorboard --logdir runs

minidl does not write the event-file format itself: the protocol buffers and the file layout are
tensorboardX's job (an optional dependency).  This module converts minidl tensors to NumPy arrays
and turns a traced forward pass — the graph ``backward()`` would walk, see
``minidl.inspect.to_dot`` — into the ``GraphDef`` that TensorBoard's Graphs tab draws, with the
ops grouped by the module that ran them.
"""
import numpy as np

from ..tensor import Tensor

_EXTRA = 'pip install tensorboardX (or pip install "minidl[tensorboard]")'


def _tensorboardx():
    try:
        import tensorboardX
    except ImportError as error:
        raise ImportError(f"minidl.utils.tensorboard needs tensorboardX, which is not installed: {_EXTRA}") from error
    return tensorboardX


def _numpy(value):
    """A minidl tensor (on any device), a NumPy/CuPy array or a number → a NumPy array."""
    if isinstance(value, Tensor):
        value = value.detach().cpu().numpy()
    elif hasattr(value, "get") and not isinstance(value, (dict, np.ndarray)):  # a CuPy array
        value = value.get()
    return np.asarray(value)


def _scalar(value):
    array = _numpy(value)
    if array.size != 1:
        raise ValueError(f"add_scalar: scalar_value must hold one number, got an array of shape {array.shape}")
    return float(array.reshape(()))


class SummaryWriter:
    """Write TensorBoard event files to ``log_dir`` (default ``runs/<date>_<host><comment>``), as
    ``torch.utils.tensorboard.SummaryWriter``: the same constructor arguments and ``add_*``
    methods, accepting minidl tensors wherever PyTorch accepts torch tensors.

    Raises ImportError naming the missing package when tensorboardX is not installed.
    """

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        tensorboardx = _tensorboardx()
        self._writer = tensorboardx.SummaryWriter(logdir=log_dir, comment=comment, purge_step=purge_step,
                                                  max_queue=max_queue, flush_secs=flush_secs,
                                                  filename_suffix=filename_suffix)
        self.log_dir = self._writer.logdir

    def get_logdir(self):
        return self.log_dir

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None):
        """One number (a 1-element tensor or array, or a float) at ``global_step``."""
        self._writer.add_scalar(tag, _scalar(scalar_value), global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several numbers on one chart: ``{"train": 0.3, "test": 0.4}`` (one run folder per key)."""
        values = {key: _scalar(value) for key, value in tag_scalar_dict.items()}
        self._writer.add_scalars(main_tag, values, global_step, walltime)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """The distribution of a tensor's values (weights, gradients, activations)."""
        self._writer.add_histogram(tag, _numpy(values).astype(np.float64).ravel(), global_step, bins, walltime, max_bins)

    def add_image(self, tag, img_tensor, global_step=None, walltime=None, dataformats="CHW"):
        """One image: (C, H, W) by default (``dataformats`` as PyTorch: "HWC", "HW", …); floats in [0, 1]
        or uint8 in [0, 255]."""
        self._writer.add_image(tag, _numpy(img_tensor), global_step, walltime, dataformats)

    def add_images(self, tag, img_tensor, global_step=None, walltime=None, dataformats="NCHW"):
        """A batch of images, (N, C, H, W) by default, shown as one grid."""
        self._writer.add_images(tag, _numpy(img_tensor), global_step, walltime, dataformats)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        self._writer.add_text(tag, text_string, global_step, walltime)

    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """Hyper-parameters and the metrics they reached, for the HParams tab (values: numbers,
        strings, bools; minidl tensors are converted to numbers).  ``hparam_domain_discrete`` is
        accepted for PyTorch's signature but not recorded (tensorboardX has no such field)."""
        hparams = {k: _scalar(v) if isinstance(v, Tensor) else v for k, v in hparam_dict.items()}
        metrics = {k: _scalar(v) for k, v in metric_dict.items()}
        self._writer.add_hparams(hparams, metrics, name=run_name, global_step=global_step)

    def add_graph(self, model, input_to_model, verbose=False):
        """The graph of ``model(*input_to_model)``, traced by running it once: one node per op,
        named ``<module path>/<Op>_<n>``, so TensorBoard folds each module into a box; parameters
        appear as ``Variable`` nodes under their ``state_dict`` names."""
        inputs = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
        graph_def = trace_graph_def(model, inputs)
        if verbose:
            print(graph_def)
        from tensorboardX.proto.event_pb2 import Event

        self._writer._get_file_writer().add_event(Event(graph_def=graph_def.SerializeToString()))

    def flush(self):
        self._writer.flush()

    def close(self):
        self._writer.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _module_scopes(model, run):
    """Run ``run()`` with forward hooks that name every graph node after the innermost module
    whose forward created it.  Returns (result of run, {id(node): module path})."""
    scopes, handles = {}, []

    def claim(name):
        def hook(module, args, output):
            stack = [t.creator for t in (output if isinstance(output, (tuple, list)) else (output,))
                     if isinstance(t, Tensor) and t.creator is not None]
            while stack:  # walk back until nodes already claimed by an inner module (hooks run inner first)
                node = stack.pop()
                if id(node) in scopes:
                    continue
                scopes[id(node)] = name
                stack += [creator for creator, _ in node.input_edges if creator is not None]
        return hook

    for name, module in model.named_modules():
        if name:
            handles.append(module.register_forward_hook(claim(name)))
    try:
        return run(), scopes
    finally:
        for handle in handles:
            handle.remove()


def trace_graph_def(model, inputs):
    """A tensorboardX ``GraphDef`` of one forward pass of ``model`` on ``inputs`` (minidl tensors).

    Raises ValueError when the output records no graph (no parameter or input requires grad)."""
    from tensorboardX.proto.attr_value_pb2 import AttrValue
    from tensorboardX.proto.graph_pb2 import GraphDef
    from tensorboardX.proto.node_def_pb2 import NodeDef
    from tensorboardX.proto.tensor_shape_pb2 import TensorShapeProto
    from tensorboardX.proto.versions_pb2 import VersionDef

    output, scopes = _module_scopes(model, lambda: model(*inputs))
    outputs = output if isinstance(output, (tuple, list)) else (output,)
    if not any(isinstance(t, Tensor) and t.creator is not None for t in outputs):
        raise ValueError("add_graph: the model's output records no graph (does any parameter require grad?)")
    leaf_names = {id(p): name for name, p in model.named_parameters()}
    leaf_names.update({id(t): f"input/input.{i}" for i, t in enumerate(inputs)})
    names, nodes = {}, []

    def shape_attr(shape):
        return {"_output_shapes": AttrValue(list=AttrValue.ListValue(shape=[
            TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in shape])]))}

    def leaf(tensor):
        if id(tensor) not in names:
            names[id(tensor)] = leaf_names.get(id(tensor), f"constant/tensor_{len(names)}")
            nodes.append(NodeDef(name=names[id(tensor)], op="Variable", input=[], attr=shape_attr(tensor.shape)))
        return names[id(tensor)]

    def visit(node):  # post-order, iterative: inputs get their names before the node that uses them
        stack = [(node, False)]
        while stack:
            current, expanded = stack.pop()
            if id(current) in names:
                continue
            if not expanded:
                stack.append((current, True))
                stack += [(creator, False) for creator, _ in current.input_edges if creator is not None]
                continue
            edges = [names[id(creator)] if creator is not None else leaf(tensor)
                     for tensor, (creator, _) in zip(current.inputs, current.input_edges)]
            scope = scopes.get(id(current))
            names[id(current)] = f"{scope}/{current.name}_{len(nodes)}" if scope else f"{current.name}_{len(nodes)}"
            nodes.append(NodeDef(name=names[id(current)], op=current.name, input=edges,
                                 attr=shape_attr(current.output_meta[0][0])))

    for tensor in outputs:
        if isinstance(tensor, Tensor) and tensor.creator is not None:
            visit(tensor.creator)
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
