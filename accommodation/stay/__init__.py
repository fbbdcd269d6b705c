"""The stay after the SPOC's approval: the signed agreement (and its PDF), check-in, the
return-home review, the move-out, cancellation and the notice when consent is withdrawn."""
