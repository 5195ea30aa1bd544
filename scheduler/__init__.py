"""Time-driven jobs: deadlines, reminders, publications, deliveries."""
