"""Ideas: raising them, their lifecycle and who may press what, emoji approval, :bulb: capture, the Home tab, export."""
