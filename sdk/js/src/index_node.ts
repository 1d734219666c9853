// The package's Node entry: Client with the file queue. Import as `@gamelake/sdk`.

import { Client as CoreClient } from './client.js';
import type { Config } from './config.js';
import { nodePlatform } from './platform_node.js';

export * from './public_api.js';

/** A gamelake client for Node; the queue is a folder (`queueDir`). */
export class Client extends CoreClient {
  constructor(config: Config) {
    super(config, nodePlatform);
  }
}
