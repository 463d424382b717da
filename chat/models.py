"""Models of the chat domain arrive with its issue; the app exists so the layout is fixed."""
