"""The events app's writes, one module per topic (docs/decisions.md, "Layout"): ``organizations``
(organizations, members, events, participants), ``agenda`` (the draft sessions, rooms, tracks,
speakers, announcements), ``schedule`` (publishing), ``personal`` (bookmarks, notes),
``calendar`` (private calendar feeds), ``displays`` (door-display links)."""
