import { Mosquitto } from '../../testing/mosquitto.js';
import { startHubProcess, startLoad, type Phase } from './context.js';
import { restartCycles } from './restart-cycles.js';

/** The hub (its embedded broker with it) killed -9 and restarted K times under load. */
export const restartsPhase: Phase = async (context) => {
  const { house, options } = context;
  let hub = house.hub();
  await startHubProcess(hub);
  const load = startLoad(context, `mqtt://127.0.0.1:${house.mqttPort}`);
  try {
    await load.waitReady();
    await restartCycles(
      context,
      load,
      {
        name: 'hub',
        kill: () => hub.kill(),
        async start() {
          hub = house.hub();
          await startHubProcess(hub);
        },
      },
      options.restarts,
    );
    await load.stop();
  } finally {
    load.kill();
    await hub.kill();
  }
};

/**
 * The same with an external Mosquitto: the hub and the satellites its clients; Mosquitto killed -9
 * and restarted (no persistence: the hub republishes what it keeps retained, the satellites say hello again).
 */
export const mosquittoPhase: Phase = async (context) => {
  const { house, options } = context;
  const broker = new Mosquitto(house.mqttPort);
  await broker.start();
  const hub = house.hub(broker.url);
  await startHubProcess(hub);
  const load = startLoad(context, broker.url);
  try {
    await load.waitReady();
    await restartCycles(context, load, { name: 'Mosquitto', kill: () => broker.kill(), start: () => broker.start() }, options.brokerRestarts);
    await load.stop();
  } finally {
    load.kill();
    await hub.kill();
    await broker.kill();
  }
};
