export interface Row {
  id: number;
  name: string;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Client {
  private readonly latencyMs: number;

  constructor(latencyMs: number) {
    this.latencyMs = latencyMs;
  }

  async query(sql: string): Promise<Row[]> {
    await wait(this.latencyMs);
    return parseRows(sql);
  }

  static connect(): Client {
    return new Client(15);
  }
}

function parseRows(sql: string): Row[] {
  return sql.split(',').map((name, id) => ({ id, name: name.trim() }));
}
