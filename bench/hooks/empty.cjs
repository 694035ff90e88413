// An empty --require preload: the floor any preload pays, to tell it apart
// from the agent's own cost (the launcher preloads with --require).
