"""Models of the analytics domain arrive with its issue; the app exists so the layout is fixed."""
