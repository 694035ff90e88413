// An empty --import preload: the floor any preload pays (the ESM loader
// starting before the program), to tell it apart from the agent's own cost.
export {};
