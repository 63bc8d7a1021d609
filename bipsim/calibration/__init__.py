"""Calibration to the published BIP estimates: simulate the study, analyse it as BIP
did, and search the structural parameters until the estimates match the targets."""
