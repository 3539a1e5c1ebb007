enum PhysicsPlaceholder {}
