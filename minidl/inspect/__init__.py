"""Looking inside a model: activations, gradients, attributions, the graph, and pictures of them.

- ``capture(model, names)``: a context manager recording layer outputs and their gradients, with
  per-layer statistics (mean, std, zeros, dead units, gradient norm)        — capture.py
- ``gradient_flow(model)``: per-layer gradient norms after backward()         — capture.py
- ``saliency`` and ``grad_cam``: which pixels carry the evidence for a class  — attribution.py
- ``to_dot`` / ``render_dot``: the computational graph as Graphviz             — graph.py
- ``plot_*``: PNG pictures of all of the above (needs matplotlib)             — plots.py
"""
from .attribution import grad_cam, saliency
from .capture import Capture, capture, gradient_flow
from .graph import render_dot, to_dot
from .plots import plot_feature_maps, plot_filters, plot_gradient_flow, plot_heatmaps, plot_history

__all__ = ["Capture", "capture", "gradient_flow", "grad_cam", "saliency", "to_dot", "render_dot",
           "plot_filters", "plot_feature_maps", "plot_history", "plot_gradient_flow", "plot_heatmaps"]
