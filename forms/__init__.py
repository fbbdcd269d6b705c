"""WTForms classes, one module per area. They check the shape of input only."""
