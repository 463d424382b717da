"""The portal's forms, one module per topic, named as the portal's page modules."""
