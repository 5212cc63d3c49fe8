"""The graph editor: canvas scene, its items, the view, undo commands, clipboard and the editor."""
