"""Models of the ticketing domain arrive with its issue; the app exists so the layout is fixed."""
