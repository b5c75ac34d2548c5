"""The manual proposer: any agent or person edits the workspace between commands.

``autotts discover next RUN`` prepares the round (workspace, history, the
candidate file to edit) and exits; the agent edits ``workspace/candidate.py``;
``autotts discover submit RUN`` reads it back through this proposer.
"""

from __future__ import annotations

from autotts.discovery.proposers.base import Proposal, ProposalContext


class AwaitingSubmission(Exception):
    """The round is prepared; the candidate must be written and submitted."""


class ManualProposer:
    """Returns the workspace candidate when submitting, else asks for it."""

    name = "manual"

    def __init__(self, submit: bool = False):
        self.submit = submit

    def propose(self, ctx: ProposalContext) -> Proposal:
        """The candidate the agent wrote; raises AwaitingSubmission when not submitting."""
        if not self.submit:
            raise AwaitingSubmission(
                f"round {ctx.round} is ready: edit {ctx.candidate_path} (read "
                f"{ctx.workspace / 'PROMPT.md'} and {ctx.workspace / 'history'}), then run "
                "`autotts discover submit RUN`")
        source = ctx.candidate_path.read_text() if ctx.candidate_path.is_file() else ""
        return Proposal(source=source, transcript="(manual submission)")
