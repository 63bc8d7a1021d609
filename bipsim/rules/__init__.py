"""The weekly rules, one small function per step of the week (see ``model.WEEK``)."""
