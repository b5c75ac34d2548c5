"""Tables, figures and report pages built from sweep results."""
