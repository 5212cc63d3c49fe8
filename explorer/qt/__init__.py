"""Everything that draws: the main window, editor, inspector, training panel and plots."""
