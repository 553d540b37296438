"""Pure rules of the deposit presale (定金膨胀): terms, the two payments, phases, reminders."""
