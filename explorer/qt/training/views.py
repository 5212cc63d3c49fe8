"""The panel's plots: the loss, the gradients, and a tab per picture, chosen for the task of the run.

:class:`TrainingViews` only lays the views out and says which to show; it neither runs training
nor decides when to draw (that is :mod:`.drawing`'s job).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSizePolicy, QSplitter, QTabWidget, QWidget

from explorer.graph import Document, get_kind
from explorer.graph.errors import GraphError
from explorer.data.dataset import CLASSIFICATION, REGRESSION
from explorer.training.fgsm import image_refusal
from explorer.training.r_squared import mean_baseline

from .activation_view import ActivationView
from .attention_view import AttentionView
from .boundary_view import BoundaryView
from .dropout_view import DropoutView
from .feature_map_view import FeatureMapView
from .fgsm_view import FgsmView
from .function_view import FunctionView
from .gan_view import GanView
from .gradient_plot import GradientView
from .gradient_scale import GradientScale
from .graph_view import GraphView
from .loss_plot import LossView
from .reconstruction_view import ReconstructionView
from .through_time_view import ThroughTimeView
from .sample_grid import image_levels

# The view of each task's own picture, by the name SnapshotBatch.pictures files it under.
DROPOUT_KINDS = ("Dropout", "Dropout2d")  # the catalogue's kinds the Dropout tab explains

TASK_VIEWS = {"reconstruction": "reconstruction_view", "adversarial": "gan_view",
              "node_classification": "graph_view"}


def objective_name(trainer) -> str:
    """What ``trainer`` learns: "supervised", "reconstruction", "adversarial" or "node_classification"."""
    name = getattr(getattr(trainer, "objective", None), "name", None)
    return name if name in TASK_VIEWS or name == "supervised" else "supervised"


class TrainingViews(QSplitter):
    """``trainingPlots``: the loss view, the gradient view and ``trainingTabs`` side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setObjectName("trainingPlots")
        self.loss_view = LossView()
        self.gradient_view = GradientView()
        self.gradient_scale = GradientScale(self.gradient_view)  # its colours' meaning, in its units
        self.feature_view = FeatureMapView()
        self.boundary_view = BoundaryView()
        self.activation_view = ActivationView()
        self.reconstruction_view = ReconstructionView()
        self.gan_view = GanView()
        self.graph_view = GraphView()
        self.through_time_view = ThroughTimeView()
        self.attention_view = AttentionView()
        self.function_view = FunctionView()
        self.fgsm_view = FgsmView()
        self.dropout_view = DropoutView()
        self.tabs = QTabWidget(objectName="trainingTabs")
        self.tabs.addTab(self.feature_view, "Feature maps")
        self.tabs.addTab(self.boundary_view, "Decision boundary")
        self.tabs.addTab(self.activation_view, "Activations")
        self.tabs.addTab(self.reconstruction_view, "Reconstructions")
        self.tabs.addTab(self.gan_view, "GAN samples")
        self.tabs.addTab(self.graph_view, "Graph")
        self.tabs.addTab(self.through_time_view, "Through time")
        self.tabs.addTab(self.attention_view, "Attention")
        self.tabs.addTab(self.function_view, "Function fit")
        self.tabs.addTab(self.fgsm_view, "Adversarial")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.fgsm_view),
                                "FGSM: a validation image pushed by epsilon along the sign of the loss's "
                                "gradient, and the validation accuracy against epsilon (paused or ended runs)")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.function_view),
                                "The network's curve over the target function and the training points, "
                                "with each hidden unit's piece of it")
        self.tabs.addTab(self.dropout_view, "Dropout")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.dropout_view),
                                "The trained network in evaluation mode against training mode (dropout active): "
                                "both accuracies, and what each Dropout layer does to its values")
        self.tabs.setTabVisible(self.tabs.indexOf(self.dropout_view), False)
        self.tabs.setTabToolTip(self.tabs.indexOf(self.reconstruction_view),
                                "An autoencoder's reconstructions of validation samples, and its 2-D codes")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.gan_view),
                                "A GAN's samples, with the real data and the discriminator's belief for 2-D data")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.graph_view),
                                "The dataset's graph, nodes coloured by the class the network predicts")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.through_time_view),
                                "How much each step of the sequence still moves the loss, and the probe "
                                "sequence's answer")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.attention_view),
                                "Where each position of the probe sequence looks, for every attention head")
        self.addWidget(self.loss_view)
        self.addWidget(self.gradient_view)
        self.addWidget(self.tabs)
        self.setChildrenCollapsible(False)
        for i, stretch in enumerate((4, 4, 5)):
            self.setStretchFactor(i, stretch)
        for widget in (self.loss_view, self.gradient_view, self.tabs):
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            widget.setMinimumWidth(260)
        self.task: str | None = None
        self.show_task(None)
        self.show_sequence(None)
        self.show_function(False)
        self.show_fgsm(False)

    # What shows ----------------------------------------------------------------------------------

    def show_task(self, task: str | None) -> None:
        """Show the tab of ``task``'s picture and hide the other tasks' (None: none of them)."""
        self.task = task
        for name, attribute in TASK_VIEWS.items():
            self.tabs.setTabVisible(self.tabs.indexOf(getattr(self, attribute)), name == task)
        # The decision boundary is a supervised picture of points in the plane.
        self.tabs.setTabVisible(self.tabs.indexOf(self.boundary_view), task in (None, "supervised"))

    def show_sequence(self, probe) -> None:
        """Show the sequence tabs a run's sequence probe fills (None: neither)."""
        has_time = probe is not None and probe.has_gradient
        has_attention = probe is not None and bool(probe.attention)
        self.tabs.setTabVisible(self.tabs.indexOf(self.through_time_view), has_time)
        self.tabs.setTabVisible(self.tabs.indexOf(self.attention_view), has_attention)

    def show_function(self, show: bool) -> None:
        """Show the function-fit tab (a regression of one number to one number) or hide it."""
        self.tabs.setTabVisible(self.tabs.indexOf(self.function_view), show)

    def show_fgsm(self, show: bool) -> None:
        """Show the adversarial-examples tab (an image classifier) or hide it."""
        self.tabs.setTabVisible(self.tabs.indexOf(self.fgsm_view), show)

    def task_view(self, task: str | None) -> QWidget | None:
        attribute = TASK_VIEWS.get(task or "")
        return getattr(self, attribute) if attribute else None

    def prepare(self, document: Document, trainer, fresh: bool, probe_index: int) -> None:
        """Before a run: the layers of the gradient view, the tabs of the task, the data to draw over."""
        order = document.topological_order()
        networks = getattr(trainer, "networks", None) or {"model": getattr(trainer, "module", None)}
        layers: dict = {}
        for module in networks.values():
            layers.update(getattr(module, "layers", {}) or {})
        with_params = [n for n in order if n in layers and any(True for _ in layers[n].parameters())]
        frozen = [n for n in with_params if document.node(n).frozen]
        if (fresh or self.gradient_view.history is None or self.gradient_view.history.layers != with_params
                or self.gradient_view.frozen != frozen):
            self.gradient_view.begin_run(with_params, frozen)
        self.activation_view.set_order(order)
        self.refresh_feature_nodes(document)
        task = objective_name(trainer)
        self.show_task(task)
        probe = getattr(trainer, "sequence_probe", None)
        self.show_sequence(probe)
        dataset = getattr(trainer, "dataset", None)
        is_2d = bool(dataset is not None and getattr(dataset, "is_2d", False))
        if dataset is not None:
            index = min(probe_index, len(dataset.x_val) - 1)
            self.feature_view.set_probe_range(len(dataset.x_val), index)
            if is_2d and task == "supervised":
                self.boundary_view.set_points(dataset.x_train, dataset.y_train, dataset.num_classes,
                                              dataset.x_val, dataset.y_val)
            else:
                self.boundary_view.set_points(None, None, None)
            if not is_2d and getattr(dataset, "x_train", None) is not None and len(dataset.x_train):
                self.gan_view.set_data_levels(image_levels(np.asarray(dataset.x_train[:512], dtype=np.float32)))
            else:
                self.gan_view.set_data_levels(None)
            fits_curve = task == "supervised" and bool(getattr(getattr(trainer, "objective", None),
                                                                  "function_probe", None))
            self.show_function(fits_curve)
            if fits_curve:
                self.function_view.set_points(dataset.x_train, dataset.y_train)
            self.show_fgsm(task == "supervised" and image_refusal(dataset) is None)
            self._choose_lower_plot(trainer, dataset)
            names = getattr(dataset, "class_names", None)
            self.reconstruction_view.set_class_names(names)
            self.graph_view.set_class_names(names)
        if fresh:
            for view in (self.reconstruction_view, self.gan_view, self.graph_view, self.through_time_view,
                         self.attention_view):
                view.clear()
        view = self.task_view(task)
        if view is not None:
            self.tabs.setCurrentWidget(view)
        elif probe is not None:
            self.tabs.setCurrentWidget(self.attention_view if probe.attention else self.through_time_view)
        elif is_2d:
            self.tabs.setCurrentWidget(self.boundary_view)
        elif self.tabs.isTabVisible(self.tabs.indexOf(self.function_view)):
            self.tabs.setCurrentWidget(self.function_view)
        elif self.feature_view.has_candidates:
            self.tabs.setCurrentWidget(self.feature_view)
        else:
            self.tabs.setCurrentWidget(self.activation_view)

    def _choose_lower_plot(self, trainer, dataset) -> None:
        """Accuracy for the objectives that count right answers, R² for a supervised regression, else none."""
        name = getattr(getattr(trainer, "objective", None), "name", None)
        accuracy = getattr(dataset, "task", None) == CLASSIFICATION and name in ("supervised", "node_classification",
                                                                                "sequence")
        r2 = None
        if name == "supervised" and getattr(dataset, "task", None) == REGRESSION:
            r2 = mean_baseline(dataset.y_val)
        self.loss_view.set_lower_plot(accuracy, r2)

    def refresh_feature_nodes(self, document: Document) -> None:
        """The layers with image-shaped output, offered to the feature-map view (every network's); the
        Dropout tab shows for a network with a Dropout layer."""
        has_dropout = any(n.kind in DROPOUT_KINDS for n in document.nodes())
        self.tabs.setTabVisible(self.tabs.indexOf(self.dropout_view), has_dropout)
        try:
            report = document.infer()
            order = document.topological_order()
        except GraphError:
            return
        nodes, default = [], None
        for node_id in order:
            info = report.nodes.get(node_id)
            node = document.node(node_id)
            if info is None or info.output is None or info.output.rank != 3 or node.layer.max_inputs == 0:
                continue
            nodes.append((node_id, f"{node.kind} {info.output}"))
            if default is None and get_kind(node.kind).group == "Convolution":
                default = node_id
        self.feature_view.set_candidates(nodes, default)
        if not nodes:
            self.feature_view.caption.setText("No layer here gives image-shaped output [C, H, W].")

    # Drawing and forgetting ----------------------------------------------------------------------

    def draw_pictures(self, pictures: dict) -> None:
        """The latest picture of each kind: the shared ones by their batch field, the task's by name."""
        views = {"feature_maps": self.feature_view, "activation": self.activation_view,
                 "boundary": self.boundary_view, "reconstruction": self.reconstruction_view,
                 "gan": self.gan_view, "graph": self.graph_view, "function": self.function_view}
        for name, picture in pictures.items():
            if name == "sequence":  # one probe, two views
                self.through_time_view.show_snapshot(picture)
                self.attention_view.show_snapshot(picture)
                continue
            view = views.get(name)
            if view is not None:
                view.show_snapshot(picture)

    def forget_weights(self) -> None:
        """The weights were reset: the views that showed them start empty (the loss curves stay, faded)."""
        self.loss_view.begin_run()
        for view in (self.gradient_view, self.feature_view, self.activation_view, self.reconstruction_view,
                     self.gan_view, self.graph_view, self.through_time_view, self.attention_view, self.function_view,
                     self.fgsm_view, self.dropout_view):
            view.clear()

    def clear(self) -> None:
        """Another document: everything starts empty."""
        for view in (self.loss_view, self.gradient_view, self.feature_view, self.activation_view,
                     self.boundary_view, self.reconstruction_view, self.gan_view, self.graph_view,
                     self.through_time_view, self.attention_view, self.function_view,
                     self.fgsm_view, self.dropout_view):
            view.clear()
        self.show_task(None)
        self.show_sequence(None)
        self.show_function(False)
        self.show_fgsm(False)
