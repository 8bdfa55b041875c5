// Public face of the SIP registrar (RFC 3261 §10.3): REGISTER handling and the binding table
// that the UAS and MWI notifier read to reach a user's phones.

export {
  type Binding,
  type BindingEvent,
  type BindingEventType,
  type BindingListener,
  BindingTable,
  type SourceAddress,
} from "./bindings.ts";
export { bindingDestination, flowOf, needsFlow } from "./flow.ts";
export {
  type RegisterOptions,
  type RegisterResult,
  Registrar,
  type RegistrarOptions,
} from "./registrar.ts";
export {
  type ContactUpdate,
  canonicalAor,
  contactKey,
  parseRegister,
  type RegisterLimits,
  type RegisterPlan,
} from "./request.ts";
