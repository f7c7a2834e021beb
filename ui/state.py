"""Every ``st.session_state`` key the dashboard uses, in one place.

Pages and widgets refer to these constants, never to string literals, so two
pages cannot collide on a key by accident. Keys are prefixed by the page (or
shared widget) that owns them. Add yours below, in a section of its own.
"""

from __future__ import annotations

# --------------------------------------------------------------- Signed walk
#: Selected drug in the picker's select box (its chemical id).
WALK_DRUG = "signed_walk.drug"
#: Free-text drug query (name, synonym or MeSH id); overrides the select box.
WALK_QUERY = "signed_walk.query"
#: Signaling network name ("hsn", "signor", "omnipath").
WALK_NETWORK = "signed_walk.network"
#: Restart probability alpha.
WALK_ALPHA = "signed_walk.alpha"
#: Decay per step.
WALK_DECAY = "signed_walk.decay"
#: Maximum walk length L.
WALK_STEPS = "signed_walk.steps"
#: Most nodes drawn in the network view.
WALK_CAP = "signed_walk.cap"
#: Step t shown first in the animation and in the top-genes table.
WALK_STEP = "signed_walk.step"
