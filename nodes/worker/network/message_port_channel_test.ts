import { channelContract } from "../../../tests/_suites/channel_contract.ts";
import { messagePortEndpoint } from "./channel.ts";

channelContract("MessagePort channel", () => {
  const { port1, port2 } = new MessageChannel();
  return { producer: messagePortEndpoint(port1), consumer: messagePortEndpoint(port2) };
});
