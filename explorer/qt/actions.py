"""The window's actions, menus and toolbar: every command with its shortcut, tooltip and status tip."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QStyle, QToolBar

StandardKey = QKeySequence.StandardKey


@dataclass
class Actions:
    new: QAction
    open: QAction
    save: QAction
    save_as: QAction
    save_checkpoint: QAction
    load_checkpoint: QAction
    transfer_weights: QAction
    runs_menu: QMenu
    export: QAction
    import_: QAction
    export_snapshot: QAction
    export_canvas: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    copy: QAction
    paste: QAction
    duplicate: QAction
    delete: QAction
    select_all: QAction
    layout: QAction
    zoom_in: QAction
    zoom_out: QAction
    zoom_reset: QAction
    fit: QAction
    find_layer: QAction
    shortcuts: QAction
    lecture: QAction
    presets_menu: QMenu
    recent_menu: QMenu
    view_menu: QMenu
    theme_group: QActionGroup

    def structural(self) -> list[QAction]:
        """Actions that change the network or replace it: disabled while training runs."""
        return [self.new, self.open, self.import_, self.paste, self.duplicate, self.delete, self.layout]


def _action(window, text: str, slot, keys=(), tip: str = "", icon=None, context=None) -> QAction:
    action = QAction(text, window)
    if icon is not None:
        action.setIcon(window.style().standardIcon(icon))
    sequences: list[QKeySequence] = []
    for key in keys:
        sequences += [QKeySequence(key)] if isinstance(key, str) else QKeySequence.keyBindings(key)
    if sequences:
        action.setShortcuts(sequences)
    shortcut = sequences[0].toString(QKeySequence.SequenceFormat.NativeText) if sequences else ""
    tip = tip or text.replace("&", "").rstrip("…")
    action.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    if context is not None:
        action.setShortcutContext(context)  # the caller adds it to the widget it belongs to
    else:
        window.addAction(action)
    return action


def build(window) -> Actions:
    """Create the actions on ``window`` (a MainWindow) and its menus and toolbar."""
    sp = QStyle.StandardPixmap
    canvas = Qt.ShortcutContext.WidgetWithChildrenShortcut  # only while the canvas has focus
    ed = window.editor
    view = window.view
    a = Actions(
        new=_action(window, "&New", window.new_document, [StandardKey.New], "Start an empty network",
                    sp.SP_FileIcon),
        open=_action(window, "&Open…", window.open_dialog, [StandardKey.Open], "Open a network file",
                     sp.SP_DialogOpenButton),
        save=_action(window, "&Save", window.save, [StandardKey.Save], "Save the network", sp.SP_DialogSaveButton),
        save_as=_action(window, "Save &As…", window.save_as, ["Ctrl+Shift+S"], "Save the network to a new file"),
        save_checkpoint=_action(window, "Save &Checkpoint…", window.checkpoints.save_dialog, (),
                                "Save the network with its trained weights (a .pt file) to continue later"),
        load_checkpoint=_action(window, "&Load Checkpoint…", window.checkpoints.load_dialog, (),
                                "Load trained weights of this network from a .pt file: Train continues from them"),
        transfer_weights=_action(window, "Load &Weights Into Matching Layers…", window.weight_transfer.load_dialog,
                                 (),
                                 "Transfer learning: load a checkpoint of any network into the layers whose ids and "
                                 "shapes match; the others start fresh"),
        runs_menu=QMenu("Weights From an Earlier &Run", window),
        export=_action(window, "&Export…", window.export_dialog, ["Ctrl+E"],
                       "Write the network as a PyTorch script (.py, with its data and a training loop) or ONNX"),
        import_=_action(window, "&Import from PyTorch…", window.import_dialog, [],
                        "Trace an nn.Module class in a .py file with torch.fx and open it as a network"),
        export_snapshot=_action(window, "Export S&napshot…", window.export_snapshot_dialog, [],
                                "Write the whole window as a PNG picture (for slides)"),
        export_canvas=_action(window, "Export Can&vas…", window.export_canvas_dialog, [],
                              "Write the network on the canvas as a PNG or SVG picture"),
        quit=_action(window, "&Quit", window.close, [StandardKey.Quit], "Close the window"),
        undo=_action(window, "&Undo", window.undo, [StandardKey.Undo], "Undo the last edit", sp.SP_ArrowBack),
        redo=_action(window, "&Redo", window.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "Redo the edit you undid",
                     sp.SP_ArrowForward),
        copy=_action(window, "&Copy", ed.copy_selection, [StandardKey.Copy], "Copy the selected layers"),
        paste=_action(window, "&Paste", ed.paste, [StandardKey.Paste], "Paste copied layers"),
        duplicate=_action(window, "D&uplicate", ed.duplicate, ["Ctrl+D"], "Duplicate the selected layers"),
        delete=_action(window, "&Delete", ed.delete_selection, ["Delete", "Backspace"],
                       "Delete the selected layers and wires", context=canvas),
        select_all=_action(window, "Select &All", window.select_all, [StandardKey.SelectAll], "Select every layer",
                           context=canvas),
        layout=_action(window, "Auto-&layout", ed.auto_layout, ["Ctrl+L"],
                       "Arrange the layers in rows, inputs at the top"),
        zoom_in=_action(window, "Zoom &In", view.zoom_in, ["Ctrl++", "Ctrl+="], "Zoom in"),
        zoom_out=_action(window, "Zoom &Out", view.zoom_out, ["Ctrl+-"], "Zoom out"),
        zoom_reset=_action(window, "&Actual Size", view.reset_zoom, ["Ctrl+0"], "Zoom to 100 %"),
        fit=_action(window, "&Fit Network", view.fit, ["F"], "Show the whole network", context=canvas),
        find_layer=_action(window, "Find &Layer Kind", window.focus_palette_filter, ["Ctrl+F"],
                           "Type to filter the layer palette"),
        shortcuts=_action(window, "&Keyboard and Mouse", window.show_shortcuts, ["F1"],
                          "Every shortcut and mouse gesture"),
        lecture=_action(window, "&Lecture Mode", window.lecture_mode.toggle, ["F11"],
                        "Large type, the canvas and the views filling the screen; Space trains or pauses, "
                        "→ steps, R resets the weights"),
        presets_menu=QMenu("Open &Preset", window),
        recent_menu=QMenu("Open &Recent", window),
        view_menu=QMenu("&View", window),
        theme_group=QActionGroup(window),
    )
    for action in (a.delete, a.select_all, a.fit):
        view.addAction(action)

    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a.new, a.open])
    a.presets_menu.setToolTipsVisible(True)
    a.presets_menu.aboutToShow.connect(window.fill_presets_menu)
    a.recent_menu.setToolTipsVisible(True)
    a.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    file_menu.addMenu(a.presets_menu)
    file_menu.addMenu(a.recent_menu)
    file_menu.addSeparator()
    file_menu.addActions([a.save, a.save_as, a.export, a.import_])
    file_menu.addActions([a.export_snapshot, a.export_canvas])
    file_menu.addSeparator()
    file_menu.addActions([a.save_checkpoint, a.load_checkpoint, a.transfer_weights])
    a.runs_menu.setObjectName("earlierRunsMenu")
    a.runs_menu.setToolTipsVisible(True)
    a.runs_menu.aboutToShow.connect(lambda: window.weight_transfer.fill_runs_menu(a.runs_menu))
    file_menu.addMenu(a.runs_menu)
    file_menu.aboutToShow.connect(window.checkpoints.update_actions)
    file_menu.addSeparator()
    file_menu.addAction(a.quit)

    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([a.undo, a.redo])
    edit_menu.addSeparator()
    edit_menu.addActions([a.copy, a.paste, a.duplicate, a.delete])
    edit_menu.addSeparator()
    edit_menu.addActions([a.select_all, a.layout])

    bar.addMenu(a.view_menu)
    a.view_menu.addActions([a.zoom_in, a.zoom_out, a.zoom_reset, a.fit])
    a.view_menu.addSeparator()
    a.view_menu.addAction(a.find_layer)
    a.lecture.setCheckable(True)
    window.lecture_mode.toggled.connect(a.lecture.setChecked)
    a.view_menu.addAction(a.lecture)
    a.view_menu.addSeparator()
    theme_menu = a.view_menu.addMenu("&Theme")
    for key, label in (("system", "Follow the &System"), ("light", "&Light"), ("dark", "&Dark")):
        action = theme_menu.addAction(label)
        action.setCheckable(True)
        action.setData(key)
        action.setStatusTip(f"Colours: {label.replace('&', '').lower()}")
        a.theme_group.addAction(action)
    a.theme_group.triggered.connect(lambda action: window.set_theme_choice(action.data()))
    a.view_menu.addSeparator()

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.shortcuts)

    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions([a.new, a.open, a.save])
    toolbar.addSeparator()
    toolbar.addActions([a.undo, a.redo])
    toolbar.addSeparator()
    toolbar.addActions([a.layout, a.fit])
    window.addToolBar(toolbar)
    a.view_menu.addAction(toolbar.toggleViewAction())
    return a


SHORTCUTS_HTML = """
<h3>Building</h3>
<table cellspacing=6>
<tr><td><b>Drag</b> a layer from the palette</td><td>add it where you drop it</td></tr>
<tr><td><b>Double-click</b> a layer in the palette</td><td>add it after the selected layer, wired</td></tr>
<tr><td><b>Drag</b> from a layer's bottom port to another's top port</td><td>wire them</td></tr>
<tr><td><b>Drag</b> a wire's end off its top port</td>
    <td>onto another port: move it; onto the canvas: remove it</td></tr>
<tr><td>Click a wire, <b>Delete</b></td><td>remove the wire</td></tr>
<tr><td><b>Delete</b> / <b>Backspace</b></td><td>delete the selection</td></tr>
<tr><td><b>Ctrl+C</b>, <b>Ctrl+V</b>, <b>Ctrl+D</b></td><td>copy, paste, duplicate</td></tr>
<tr><td><b>Ctrl+Z</b>, <b>Ctrl+Shift+Z</b> / <b>Ctrl+Y</b></td><td>undo, redo</td></tr>
<tr><td><b>Ctrl+L</b></td><td>auto-layout</td></tr>
</table>
<h3>Looking around</h3>
<table cellspacing=6>
<tr><td><b>Wheel</b>, <b>Ctrl +</b> / <b>Ctrl -</b>, <b>Ctrl+0</b></td><td>zoom, 100 %</td></tr>
<tr><td><b>Middle-drag</b> or <b>Space + drag</b></td><td>pan</td></tr>
<tr><td><b>F</b></td><td>fit the whole network</td></tr>
<tr><td><b>Drag</b> on empty canvas</td><td>select with a rubber band</td></tr>
<tr><td><b>Ctrl+F</b></td><td>filter the palette (Enter adds the first match)</td></tr>
</table>
"""
