"""The roles of a document's networks (a GAN's generator and discriminator), shown and chosen in the inspector.

The roles live in the training settings' ``networks`` ({"generator": output id, "discriminator":
output id}); where a role is not named there the engine chooses by shape, and :func:`network_roles`
makes the same guess for showing (the discriminator's output is ``[1]``, a logit; the generator is
the other network). A choice is sent as new training settings (the window makes it an undo
command); the widget never writes to the document.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..graph import Document
from ..graph.build import network_nodes

ROLES = ("generator", "discriminator")
ROLE_NAMES = {None: "no role", "generator": "Generator", "discriminator": "Discriminator"}
ROLE_HELP = {"generator": "makes samples from the noise its Input holds",
             "discriminator": "tells real samples from generated ones (its output is one logit)"}


def network_roles(doc: Document) -> tuple[dict[str, str], set[str]]:
    """{role: output id} for the document's networks, and the roles guessed from the shapes (not named)."""
    outputs = doc.outputs()
    chosen = doc.training.get("networks") if isinstance(doc.training, dict) else None
    roles = {r: o for r, o in (chosen or {}).items() if r in ROLES and o in outputs}
    guessed: set[str] = set()
    if len(outputs) < 2:
        return roles, guessed
    report = doc.infer()

    def shape(node_id: str):
        info = report.nodes.get(node_id)
        return None if info is None or info.output is None else tuple(info.output.shape)

    free = [o for o in outputs if o not in roles.values()]
    if "discriminator" not in roles:
        logits = [o for o in free if shape(o) == (1,)]
        if len(logits) == 1:
            roles["discriminator"] = logits[0]
            guessed.add("discriminator")
            free.remove(logits[0])
    if "generator" not in roles and len(free) == 1:
        roles["generator"] = free[0]
        guessed.add("generator")
    return roles, guessed


def with_role(roles: dict[str, str], output: str, role: str | None) -> dict[str, str]:
    """``roles`` with ``output`` given ``role`` (None: no role); the network that held it takes ``output``'s old one."""
    new = dict(roles)
    old_role = next((r for r, o in new.items() if o == output), None)
    if role == old_role:
        return new
    if old_role is not None:
        del new[old_role]
    if role is not None:
        previous = new.get(role)
        new[role] = output
        if previous is not None and old_role is not None:
            new[old_role] = previous  # a swap
    return new


def network_of(doc: Document, node_id: str) -> str | None:
    """The output id of the network ``node_id`` belongs to (the first, if it feeds several)."""
    for output in doc.outputs():
        if node_id in network_nodes(doc, output):
            return output
    return None


class RoleChooser(QWidget):
    """``networkRoles``: a role combo (``role_<output id>``) per network shown, and ``swapRolesButton``.

    ``roles_edit_requested(dict)`` carries the new ``networks`` setting after a user's choice.
    """

    roles_edit_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkRoles")
        self.doc: Document | None = None
        self._locked = False
        self._roles: dict[str, str] = {}
        self.combos: dict[str, QComboBox] = {}
        self._form = QFormLayout()
        self._form.setContentsMargins(0, 0, 0, 0)
        self.note = QLabel("", objectName="helpText")  # styled as the inspector's help
        self.note.setWordWrap(True)
        self.swap_button = QPushButton("Swap generator and discriminator", objectName="swapRolesButton")
        self.swap_button.setToolTip("Make the generator the discriminator and the other way round")
        self.swap_button.clicked.connect(self._on_swap)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._form)
        layout.addWidget(self.note)
        layout.addWidget(self.swap_button)

    def show_networks(self, doc: Document, outputs: list[str] | None = None) -> bool:
        """Show the roles of ``outputs`` (default: every network); False (and hidden) with fewer than two networks."""
        self.doc = doc
        all_outputs = doc.outputs()
        if len(all_outputs) < 2:
            self.hide()
            return False
        outputs = [o for o in (outputs if outputs is not None else all_outputs) if o in all_outputs]
        self._roles, guessed = network_roles(doc)
        if list(self.combos) != outputs:
            while self._form.rowCount():
                self._form.removeRow(0)
            self.combos = {}
            for output in outputs:
                combo = QComboBox(objectName=f"role_{output}")
                for role in (None, *ROLES):
                    combo.addItem(ROLE_NAMES[role], role)
                combo.setToolTip(f"What the network ending at '{output}' does in a GAN")
                combo.activated.connect(lambda index, o=output, c=combo: self._on_chosen(o, c.itemData(index)))
                self.combos[output] = combo
                self._form.addRow(f"'{output}'", combo)
        for output, combo in self.combos.items():
            role = next((r for r, o in self._roles.items() if o == output), None)
            with QSignalBlocker(combo):
                combo.setCurrentIndex(max(0, combo.findData(role)))
        if guessed:
            names = " and ".join(ROLE_NAMES[r].lower() for r in ROLES if r in guessed)
            self.note.setText(f"The {names} {'is' if len(guessed) == 1 else 'are'} chosen from the shapes "
                              "(the discriminator's output is [1]); choose here to fix them.")
        else:
            missing = [ROLE_NAMES[r].lower() for r in ROLES if r not in self._roles]
            self.note.setText(f"No network is the {' or the '.join(missing)} yet." if missing else
                              "; ".join(f"{ROLE_NAMES[r]}: '{self._roles[r]}' {ROLE_HELP[r]}" for r in ROLES))
        self.set_locked(self._locked)
        self.show()
        return True

    def set_locked(self, locked: bool) -> None:
        self._locked = locked
        for combo in self.combos.values():
            combo.setEnabled(not locked)
        self.swap_button.setEnabled(not locked and all(r in self._roles for r in ROLES))

    def _on_chosen(self, output: str, role: str | None) -> None:
        new = with_role(self._roles, output, role)
        if new != self._roles:
            self.roles_edit_requested.emit(new)

    def _on_swap(self) -> None:
        if all(r in self._roles for r in ROLES):
            self.roles_edit_requested.emit({"generator": self._roles["discriminator"],
                                            "discriminator": self._roles["generator"]})
