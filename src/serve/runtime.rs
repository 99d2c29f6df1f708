//! The runtime endpoints (customers, entities, attach, track, check, grants): each request becomes a
//! [`ledger::Operation`](crate::ledger::Operation) performed by `Ledger::execute` (the same
//! operations the CLI and scenario files perform), and the ledger's answer becomes Autumn's
//! response shape. This file is the one place requests are mapped to the ledger.

use std::collections::BTreeMap;
use std::path::PathBuf;

use axum::http::StatusCode;
use rust_decimal::Decimal;

use super::api_error::ApiError;
use super::customer_controls::{customer_controls_to_wire, switches_from_wire};
use super::paging::{CUSTOMER_PAGES, ENTITY_PAGES, Paging, cursor_page, invalid_cursor};
use crate::autumn::wire::ApiVersion;
use crate::autumn::wire::balances::{
    CheckParams, CheckResponse, CreateBalanceParams, Deduction, OverageBehavior, Success,
    TrackParams, TrackResponse,
};
use crate::autumn::wire::billing::{
    AttachParams, AttachResponse, FeatureQuantity, Invoice, LegacyAttachParams,
    LegacyAttachResponse, UpdateParams,
};
use crate::autumn::wire::billing_controls::BillingControls;
use crate::autumn::wire::cursor::StandardCursor;
use crate::autumn::wire::customer::{
    Balance, Customer, CustomerPage, Flag, GetOrCreateCustomerParams, ListCustomersParams,
    Purchase, Subscription, SubscriptionStatus, UpdateCustomerParams,
};
use crate::autumn::wire::entity::{
    CreateEntityParams, Entity, EntityPage, EntityParams, ListEntitiesParams, PlanFilter,
    SubscriptionStatusFilter, UpdateEntityParams,
};
use crate::autumn::wire::error::code;
use crate::catalog::{Billing, Catalog, FeatureType, Included, Plan, PriceInterval};
use crate::ledger::{
    AttachRequest, AttachResult, BalanceView, CheckRequest, CheckResult, CreateEntityRequest,
    CustomerView, EntityView, GrantRequest, Instant, Ledger, ListedEntity, Operation, Outcome,
    Overage, QuantityResult, SetAutoTopUpRequest, SetQuantityRequest, SubscriptionView,
    TrackRequest, TrackResult, check_idempotency_key,
};

/// The ledger of the served store, opened on first use. It reads the catalog again whenever
/// the store's catalog revision moves, so an apply (by this server or by `pricectl apply`) is
/// served from the next request on.
pub struct Runtime {
    path: PathBuf,
    ledger: Option<Ledger>,
}

impl Runtime {
    /// Creates the customer unless it exists.
    fn ensure_customer(&mut self, customer_id: &str, at: Instant) -> Result<(), ApiError> {
        self.customer_view(
            &Operation::GetOrCreateCustomer {
                customer_id: customer_id.to_string(),
                name: None,
                email: None,
            },
            at,
        )
        .map(|_| ())
    }

    pub fn new(path: PathBuf) -> Runtime {
        Runtime { path, ledger: None }
    }

    /// Runs `work` (runtime calls) as one group commit of the ledger
    /// ([`Ledger::in_one_commit`]): each ledger operation a savepoint, one commit for all.
    /// Its answers may be given out only once this returns `Ok`; `Err`: nothing was kept.
    pub fn in_one_commit<T>(
        &mut self,
        work: impl FnOnce(&mut Runtime) -> T,
    ) -> Result<T, ApiError> {
        self.ledger()?.begin_group()?;
        let answer = work(self);
        self.ledger()?.commit_group()?;
        Ok(answer)
    }

    /// Performs one ledger operation now.
    fn execute(&mut self, operation: &Operation, at: Instant) -> Result<Outcome, ApiError> {
        Ok(self.ledger()?.execute(operation, at)?)
    }

    fn customer_view(
        &mut self,
        operation: &Operation,
        at: Instant,
    ) -> Result<CustomerView, ApiError> {
        match self.execute(operation, at)? {
            Outcome::Customer(view) => Ok(view),
            other => Err(unexpected(&other)),
        }
    }

    fn tracked(&mut self, request: TrackRequest, at: Instant) -> Result<TrackResult, ApiError> {
        match self.execute(&Operation::Track(request), at)? {
            Outcome::Tracked(result) => Ok(result),
            other => Err(unexpected(&other)),
        }
    }

    fn checked(&mut self, request: CheckRequest, at: Instant) -> Result<CheckResult, ApiError> {
        match self.execute(&Operation::Check(request), at)? {
            Outcome::Checked(result) => Ok(result),
            other => Err(unexpected(&other)),
        }
    }

    fn attached(&mut self, request: AttachRequest, at: Instant) -> Result<AttachResult, ApiError> {
        match self.execute(&Operation::Attach(request), at)? {
            Outcome::Attached(result) => Ok(result),
            other => Err(unexpected(&other)),
        }
    }

    fn balances(&mut self, customer_id: &str, at: Instant) -> Result<Vec<BalanceView>, ApiError> {
        let operation = Operation::Balance {
            customer_id: customer_id.to_string(),
        };
        match self.execute(&operation, at)? {
            Outcome::Balances(views) => Ok(views),
            other => Err(unexpected(&other)),
        }
    }

    fn ledger(&mut self) -> Result<&mut Ledger, ApiError> {
        if self.ledger.is_none() {
            self.ledger = Some(
                Ledger::open(&self.path)?
                    .answering_with_balance()
                    .defer_checkpoints()?,
            );
        }
        self.ledger.as_mut().ok_or_else(|| {
            ApiError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL_ERROR,
                "the ledger could not be opened",
            )
        })
    }

    pub fn get_or_create_customer(
        &mut self,
        params: &GetOrCreateCustomerParams,
        env: &str,
        version: ApiVersion,
        at: Instant,
    ) -> Result<Customer, ApiError> {
        if params
            .metadata
            .as_ref()
            .is_some_and(|metadata| !metadata.is_empty())
        {
            return Err(ApiError::invalid(
                "metadata: pricectl keeps no customer metadata",
            ));
        }
        if params
            .billing_controls
            .as_ref()
            .is_some_and(|controls| !controls.is_empty())
        {
            return Err(ApiError::invalid(
                "billing_controls: a customer turns its plans' auto top-ups on or off with `customers.update` once it is on them; pricectl creates a customer on its plans' defaults",
            ));
        }
        let view = self.customer_view(
            &Operation::GetOrCreateCustomer {
                customer_id: params.customer_id.clone(),
                name: params.name.clone(),
                email: params.email.clone(),
            },
            at,
        )?;
        self.customer_of(&view, env, version, at)
    }

    pub fn customer(
        &mut self,
        id: &str,
        env: &str,
        version: ApiVersion,
        at: Instant,
    ) -> Result<Customer, ApiError> {
        let view = self.existing_customer(id, at)?;
        self.customer_of(&view, env, version, at)
    }

    /// A customer as the ledger shows it; 404 when there is none.
    fn existing_customer(
        &mut self,
        customer_id: &str,
        at: Instant,
    ) -> Result<CustomerView, ApiError> {
        self.customer_view(
            &Operation::GetCustomer {
                customer_id: customer_id.to_string(),
            },
            at,
        )
    }

    /// `customers.update`: a customer's own billing controls, which in pricectl are the
    /// switches of its plans' auto top-ups (see [`switches_from_wire`]). Its name, email and
    /// id stay as they are: a body that would change them is refused.
    pub fn update_customer(
        &mut self,
        params: &UpdateCustomerParams,
        env: &str,
        version: ApiVersion,
        at: Instant,
    ) -> Result<Customer, ApiError> {
        let view = self.existing_customer(&params.customer_id, at)?;
        let unchanged = |field: &str, sent: Option<&String>, kept: Option<&String>| match sent {
            Some(sent) if Some(sent) != kept => Err(ApiError::invalid(format!(
                "{field}: pricectl serve keeps a customer's {field} as created; `customers.update` changes its billing controls only"
            ))),
            _ => Ok(()),
        };
        unchanged(
            "new_customer_id",
            params.new_customer_id.as_ref(),
            Some(&view.id),
        )?;
        unchanged("name", params.name.as_ref(), view.name.as_ref())?;
        unchanged("email", params.email.as_ref(), view.email.as_ref())?;
        if params
            .metadata
            .as_ref()
            .is_some_and(|metadata| !metadata.is_empty())
        {
            return Err(ApiError::invalid(
                "metadata: pricectl keeps no customer metadata",
            ));
        }
        let switches = match &params.billing_controls {
            Some(controls) => switches_from_wire(controls, &view.auto_top_ups, "")?,
            None => BTreeMap::new(),
        };
        if switches.is_empty() {
            return self.customer_of(&view, env, version, at);
        }
        self.execute(
            &Operation::SetAutoTopUp(SetAutoTopUpRequest {
                customer_id: params.customer_id.clone(),
                switches,
            }),
            at,
        )?;
        self.customer(&params.customer_id, env, version, at)
    }

    fn customer_of(
        &mut self,
        view: &CustomerView,
        env: &str,
        version: ApiVersion,
        at: Instant,
    ) -> Result<Customer, ApiError> {
        let flags = self.flags(&view.id, at)?;
        let ledger = self.ledger()?;
        let plans: Vec<&Plan> = view
            .subscriptions
            .iter()
            .filter(|subscription| subscription.ended_at.is_none())
            .filter_map(|subscription| {
                ledger.plan_version(&subscription.plan_id, subscription.version)
            })
            .collect();
        let billing_controls = customer_controls_to_wire(&view.auto_top_ups, &plans, version);
        Ok(customer(
            view,
            ledger.catalog(),
            flags,
            billing_controls,
            env,
        ))
    }

    /// The boolean features a customer has, and the plan that grants each.
    fn flags(
        &mut self,
        customer_id: &str,
        at: Instant,
    ) -> Result<BTreeMap<String, Flag>, ApiError> {
        let booleans: Vec<String> = self
            .ledger()?
            .catalog()
            .features
            .values()
            .filter(|feature| feature.kind == FeatureType::Boolean)
            .map(|feature| feature.id.clone())
            .collect();
        let mut flags = BTreeMap::new();
        for feature_id in booleans {
            let result = self.checked(
                CheckRequest {
                    customer_id: customer_id.to_string(),
                    feature_id: feature_id.clone(),
                    required: None,
                    entity_id: None,
                },
                at,
            )?;
            if let Some(plan_id) = result.granted_by {
                flags.insert(
                    feature_id.clone(),
                    Flag {
                        id: format!("{plan_id}:{feature_id}"),
                        plan_id: Some(plan_id),
                        expires_at: None,
                        feature_id,
                    },
                );
            }
        }
        Ok(flags)
    }

    /// `customers.list`: `customers` (id and creation time, the newest first) paged by
    /// cursor from API 2.3.0 and by offset before, each as `customers.get` answers it (Autumn's
    /// `handleListCustomersV2`).
    pub fn list_customers(
        &mut self,
        params: &ListCustomersParams,
        customers: &[(String, i64)],
        env: &str,
        version: ApiVersion,
        at: Instant,
    ) -> Result<CustomerPage, ApiError> {
        let paging = Paging::read(
            version,
            params.start_cursor.as_deref(),
            params.offset,
            params.limit,
            CUSTOMER_PAGES,
        )?;
        let count = |length: usize| u64::try_from(length).unwrap_or(u64::MAX);
        match paging {
            Paging::Cursor { after, limit } => {
                let after = after
                    .map(|cursor| {
                        i64::try_from(cursor.t)
                            .map(|time| (time, cursor.id))
                            .map_err(|_| {
                                invalid_cursor(
                                    "cursor shape mismatch: its time is out of range".into(),
                                )
                            })
                    })
                    .transpose()?;
                let (page, next_cursor) = cursor_page(
                    customers,
                    after.as_ref(),
                    limit,
                    |(id, created_at)| (*created_at, id.clone()),
                    |(id, created_at)| {
                        StandardCursor::new(id.clone(), u64::try_from(*created_at).unwrap_or(0))
                    },
                );
                let list = page
                    .into_iter()
                    .map(|(id, _)| self.customer(id, env, version, at))
                    .collect::<Result<_, _>>()?;
                Ok(CustomerPage::Cursor { list, next_cursor })
            }
            Paging::Offset { offset, limit } => {
                let list: Vec<Customer> = customers
                    .iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .map(|(id, _)| self.customer(id, env, version, at))
                    .collect::<Result<_, _>>()?;
                // Autumn's `hasMore = customers.length === body.limit`: a full last page says
                // more may follow.
                let has_more = count(list.len()) == limit;
                Ok(CustomerPage::Offset {
                    total: count(list.len()),
                    total_count: count(customers.len()),
                    total_filtered_count: count(customers.len()),
                    list,
                    limit,
                    offset,
                    has_more,
                })
            }
        }
    }

    /// `billing.attach`: a quantity is the total, `included` counted in (Autumn's
    /// `paramsToFeatureOptions`), so what is bought is the rest, in whole billing units.
    pub fn attach(
        &mut self,
        params: &AttachParams,
        at: Instant,
    ) -> Result<AttachResponse, ApiError> {
        refuse_entity("entity_id", params.entity_id.as_deref())?;
        if let Some(version) = params.version {
            return Err(ApiError::invalid(format!(
                "version: pricectl attaches a plan's current version (asked for {version})"
            )));
        }
        let plan = current_plan(self.ledger()?.catalog(), &params.plan_id)?;
        let quantities = bought(
            plan,
            fields("feature_quantities", &params.feature_quantities),
            true,
        )?;
        let result = self.attached(
            AttachRequest {
                customer_id: params.customer_id.clone(),
                plan_id: params.plan_id.clone(),
                quantities,
                idempotency_key: None,
            },
            at,
        )?;
        Ok(AttachResponse {
            customer_id: result.customer_id.clone(),
            payment_url: None,
            invoice: Some(invoice(&result)),
        })
    }

    /// `POST /v1/attach`: an `options` quantity is bought on top of what is included
    /// (Autumn's `mapOptionsList`).
    pub fn legacy_attach(
        &mut self,
        params: &LegacyAttachParams,
        at: Instant,
    ) -> Result<LegacyAttachResponse, ApiError> {
        refuse_entity("entity_id", params.entity_id.as_deref())?;
        let plan = current_plan(self.ledger()?.catalog(), &params.product_id)?;
        let quantities = bought(plan, fields("options", &params.options), false)?;
        let result = self.attached(
            AttachRequest {
                customer_id: params.customer_id.clone(),
                plan_id: params.product_id.clone(),
                quantities,
                idempotency_key: None,
            },
            at,
        )?;
        Ok(LegacyAttachResponse {
            success: true,
            message: format!(
                "Successfully attached {} to customer {}",
                result.plan_id, result.customer_id
            ),
            customer_id: result.customer_id.clone(),
            product_ids: vec![result.plan_id.clone()],
            code: "new_product_attached".into(),
            checkout_url: None,
            invoice: Some(invoice(&result)),
        })
    }

    /// `billing.update` with `feature_quantities`: the ledger's quantity change
    /// ([`Operation::SetQuantity`]), charged or credited as each item's proration policy says.
    /// A quantity is the total, `included` counted in, as in `billing.attach`; an item sent
    /// without one keeps its quantity. The subscription is the one `subscription_id` names,
    /// else the plan's, else chosen as Autumn's `findTargetCustomerProduct` chooses. Other
    /// changes (cancelling, customizing, another version, …) are refused by name.
    pub fn update_subscription(
        &mut self,
        params: &UpdateParams,
        at: Instant,
    ) -> Result<AttachResponse, ApiError> {
        refuse_entity("entity_id", params.entity_id.as_deref())?;
        let other = params.other_changes();
        if !other.is_empty() {
            return Err(ApiError::invalid(format!(
                "{}: pricectl serve changes a subscription's prepaid quantities only (`feature_quantities`)",
                other.join(", ")
            )));
        }
        let Some(feature_quantities) = params
            .feature_quantities
            .as_ref()
            .filter(|quantities| !quantities.is_empty())
        else {
            // Autumn's refinement of `UpdateSubscriptionV1ParamsSchema`.
            return Err(ApiError::invalid(
                "At least one update parameter must be provided (feature_quantities, version, customize, cancel_action, recalculate_balances, billing_cycle_anchor, or discounts)",
            ));
        };
        let feature_ids: Vec<&str> = feature_quantities
            .iter()
            .map(|quantity| quantity.feature_id.as_str())
            .collect();
        let plan_id = self.subscription_to_update(params, &feature_ids, at)?;
        let plan = current_plan(self.ledger()?.catalog(), &plan_id)?;
        let sent: Vec<(String, FeatureQuantity)> = feature_quantities
            .iter()
            .enumerate()
            .filter_map(|(index, quantity)| {
                quantity.quantity.map(|total| {
                    (
                        format!("feature_quantities[{index}]"),
                        FeatureQuantity {
                            feature_id: quantity.feature_id.clone(),
                            quantity: total,
                        },
                    )
                })
            })
            .collect();
        let quantities = bought(
            plan,
            sent.iter()
                .map(|(field, quantity)| (field.clone(), quantity)),
            true,
        )?;
        let outcome = self.execute(
            &Operation::SetQuantity(SetQuantityRequest {
                customer_id: params.customer_id.clone(),
                plan_id,
                quantities,
                idempotency_key: None,
            }),
            at,
        )?;
        let Outcome::QuantitySet(result) = outcome else {
            return Err(unexpected(&outcome));
        };
        Ok(AttachResponse {
            customer_id: result.customer_id.clone(),
            payment_url: None,
            // Autumn's answer has an invoice only when a charge was made.
            invoice: (!result.charge.total.is_zero()).then(|| quantity_invoice(&result)),
        })
    }

    /// The plan of the subscription `billing.update` changes (see
    /// [`Runtime::update_subscription`]).
    fn subscription_to_update(
        &mut self,
        params: &UpdateParams,
        feature_ids: &[&str],
        at: Instant,
    ) -> Result<String, ApiError> {
        if params.subscription_id.is_none()
            && let Some(plan_id) = &params.plan_id
        {
            return Ok(plan_id.clone());
        }
        let view = self.existing_customer(&params.customer_id, at)?;
        let active = view
            .subscriptions
            .iter()
            .filter(|subscription| subscription.ended_at.is_none());
        let chosen = if let Some(subscription_id) = &params.subscription_id {
            active
                .filter(|subscription| subscription.id.to_string() == *subscription_id)
                .map(|subscription| subscription.plan_id.clone())
                .next()
                .ok_or_else(|| {
                    ApiError::not_found(
                        code::CUS_PRODUCT_NOT_FOUND,
                        format!(
                            "No active subscription found with subscription_id '{subscription_id}' for customer '{}'",
                            params.customer_id
                        ),
                    )
                })?
        } else {
            let catalog = self.ledger()?.catalog();
            let mut candidates: Vec<&SubscriptionView> = active.collect();
            // Autumn's order: main plans paid by period, other main plans by period, add-ons
            // by period, one-off purchases; newest first within each.
            candidates.sort_by_key(|subscription| {
                (
                    update_priority(catalog.plans.get(&subscription.plan_id)),
                    std::cmp::Reverse(subscription.id),
                )
            });
            candidates
                .into_iter()
                .find(|subscription| {
                    catalog
                        .plans
                        .get(&subscription.plan_id)
                        .is_some_and(|plan| {
                            feature_ids.iter().all(|feature_id| {
                                plan.items.get(*feature_id).is_some_and(|item| {
                                    item.price
                                        .as_ref()
                                        .is_some_and(|price| price.billing == Billing::Prepaid)
                                })
                            })
                        })
                })
                .map(|subscription| subscription.plan_id.clone())
                .ok_or_else(|| {
                    ApiError::not_found(
                        code::CUS_PRODUCT_NOT_FOUND,
                        format!(
                            "No active subscription found for customer '{}'",
                            params.customer_id
                        ),
                    )
                })?
        };
        Ok(chosen)
    }

    pub fn track(
        &mut self,
        params: &TrackParams,
        version: ApiVersion,
        at: Instant,
    ) -> Result<TrackResponse, ApiError> {
        if let Some(timestamp) = params.timestamp
            && (timestamp <= 0 || timestamp > at.0)
        {
            return Err(ApiError::invalid(
                "timestamp: give Unix milliseconds, after 1970 and not in the future",
            ));
        }
        // Checked as sent, before `track:` is put in front: an empty key would otherwise pass
        // as `track:` and make every keyless-by-mistake track a repeat of the first.
        check_idempotency_key(params.idempotency_key.as_deref())?;
        let feature_id = feature_of(self.ledger()?.catalog(), params)?;
        let value = params.value.unwrap_or(Decimal::ONE);
        if version < ApiVersion::V2_1 {
            // Before 2.1 Autumn creates an unknown customer on track (`runTrackV3`).
            self.ensure_customer(&params.customer_id, at)?;
        }
        let mut result = self.tracked(
            TrackRequest {
                customer_id: params.customer_id.clone(),
                feature_id: feature_id.clone(),
                value,
                idempotency_key: params
                    .idempotency_key
                    .as_ref()
                    .map(|key| format!("track:{key}")),
                overage: match params.overage_behavior {
                    // Autumn's default (`runTrackV3`: `overage_behavior || "cap"`).
                    None | Some(OverageBehavior::Cap) => Overage::Cap,
                    Some(OverageBehavior::Overflow) => Overage::Overflow,
                },
                entity_id: params.entity_id.clone(),
            },
            at,
        )?;
        // The track read its balance after in its own transaction, unless it was for an entity
        // (Autumn answers with the balances the entity may use then) or replayed (the answer
        // kept for its key does not hold it): those are read as they stand now.
        let after = match (&result.entity_id, result.balance_after.take()) {
            (None, Some(view)) if !result.replayed => Some(view),
            (Some(entity_id), _) => self
                .entity_view(
                    &Operation::GetEntity {
                        customer_id: params.customer_id.clone(),
                        entity_id: entity_id.clone(),
                    },
                    at,
                )?
                .balances
                .into_iter()
                .find(|view| view.balance_key == result.balance_key),
            (None, _) => self
                .balances(&params.customer_id, at)?
                .into_iter()
                .find(|view| view.balance_key == result.balance_key),
        };
        let balances: BTreeMap<String, Balance> = after
            .iter()
            .map(|view| (view.balance_key.clone(), balance(view)))
            .collect();
        Ok(TrackResponse {
            customer_id: result.customer_id,
            entity_id: result.entity_id.clone(),
            event_name: params.event_name.clone(),
            value: result.value,
            balance: balances.get(&result.balance_key).cloned(),
            deductions: vec![Deduction {
                balance_id: result.balance_key.clone(),
                feature_id: result.balance_key.clone(),
                plan_id: None,
                reset: None,
                value: result.deducted,
            }],
            balances,
        })
    }

    pub fn check(
        &mut self,
        params: &CheckParams,
        version: ApiVersion,
        at: Instant,
    ) -> Result<CheckResponse, ApiError> {
        if version < ApiVersion::V2_1 {
            self.ensure_customer(&params.customer_id, at)?;
        }
        let result = self.checked(
            CheckRequest {
                customer_id: params.customer_id.clone(),
                feature_id: params.feature_id.clone(),
                required: params.required_balance,
                entity_id: params.entity_id.clone(),
            },
            at,
        )?;
        let used = params.required_balance.unwrap_or(Decimal::ONE);
        // A check of 0 sends no event: the ledger refuses a track of 0, which changes nothing.
        if result.allowed
            && params.send_event == Some(true)
            && result.balance.is_some()
            && !used.is_zero()
        {
            self.tracked(
                TrackRequest {
                    customer_id: params.customer_id.clone(),
                    feature_id: params.feature_id.clone(),
                    value: used,
                    idempotency_key: None,
                    overage: Overage::Cap,
                    entity_id: params.entity_id.clone(),
                },
                at,
            )?;
        }
        Ok(CheckResponse {
            allowed: result.allowed,
            customer_id: result.customer_id.clone(),
            entity_id: result.entity_id.clone(),
            required_balance: params.required_balance,
            balance: result.balance.as_ref().map(balance),
            flag: result.granted_by.as_ref().map(|plan_id| Flag {
                id: format!("{plan_id}:{}", result.feature_id),
                plan_id: Some(plan_id.clone()),
                expires_at: None,
                feature_id: result.feature_id.clone(),
            }),
        })
    }

    pub fn create_balance(
        &mut self,
        params: &CreateBalanceParams,
        at: Instant,
    ) -> Result<Success, ApiError> {
        if params.entity_id.is_some() {
            return Err(ApiError::invalid(
                "entity_id: pricectl's grants are the customer's, shared by its entities; leave it out",
            ));
        }
        if params.unlimited == Some(true) || params.reset.is_some() {
            return Err(ApiError::invalid(
                "unlimited, reset: pricectl's grants are a number of units, kept until they expire",
            ));
        }
        let Some(amount) = params.included_grant else {
            return Err(ApiError::invalid("included_grant: give the units granted"));
        };
        self.execute(
            &Operation::Grant(GrantRequest {
                customer_id: params.customer_id.clone(),
                feature_id: params.feature_id.clone(),
                amount,
                expires_at: params.expires_at,
                reason: params
                    .balance_id
                    .clone()
                    .unwrap_or_else(|| "balances.create".into()),
            }),
            at,
        )?;
        Ok(Success { success: true })
    }

    /// `entities.create`: the entity, with what it may use.
    pub fn create_entity(
        &mut self,
        params: &CreateEntityParams,
        env: &str,
        at: Instant,
    ) -> Result<Entity, ApiError> {
        let operation = Operation::CreateEntity(CreateEntityRequest {
            customer_id: params.customer_id.clone(),
            entity_id: params.entity_id.clone(),
            feature_id: params.feature_id.clone(),
            name: params.name.clone(),
        });
        Ok(entity(&self.entity_view(&operation, at)?, env))
    }

    /// `entities.get`.
    pub fn entity(
        &mut self,
        params: &EntityParams,
        env: &str,
        at: Instant,
    ) -> Result<Entity, ApiError> {
        let operation = Operation::GetEntity {
            customer_id: customer_of_entity(params.customer_id.as_ref())?,
            entity_id: params.entity_id.clone(),
        };
        Ok(entity(&self.entity_view(&operation, at)?, env))
    }

    /// `entities.list`: the live entities the filters keep, the newest first, one page of them
    /// in the version's form (by cursor from 2.3.0, by offset before, as Autumn's
    /// `handleListEntitiesV2` pages them), each as `entities.get` answers it.
    pub fn list_entities(
        &mut self,
        params: &ListEntitiesParams,
        env: &str,
        version: ApiVersion,
        at: Instant,
    ) -> Result<EntityPage, ApiError> {
        let paging = Paging::read(
            version,
            params.start_cursor.as_deref(),
            params.offset,
            params.limit,
            ENTITY_PAGES,
        )?;
        if params.subscription_status == Some(SubscriptionStatusFilter::Scheduled) {
            return Err(ApiError::invalid(
                "subscription_status: pricectl serve shows no scheduled subscriptions (a downgrade at a period's end is a subscription once it starts); leave it out or ask for `active`",
            ));
        }
        let customer_id = match params.customer_id.as_deref().map(str::trim) {
            Some("") => {
                return Err(ApiError::invalid(
                    "customer_id: name a customer, or leave it out for every customer's entities",
                ));
            }
            other => other,
        };
        let every = self.ledger()?.live_entities(None)?;
        let total_count = every.len();
        let search = params
            .search
            .as_deref()
            .map(|text| text.trim().to_lowercase())
            .filter(|text| !text.is_empty());
        let plans = params.plans.as_deref().unwrap_or_default();
        // pricectl's customers pay through no processor: a processor filter keeps none.
        let any_processor = params
            .processors
            .as_ref()
            .is_some_and(|processors| !processors.is_empty());
        let mut on_plans: BTreeMap<String, bool> = BTreeMap::new();
        let mut kept = Vec::new();
        for listed in every {
            if any_processor
                || customer_id.is_some_and(|id| id != listed.customer_id)
                || search.as_ref().is_some_and(|text| !found_by(&listed, text))
            {
                continue;
            }
            if !plans.is_empty() {
                let on = if let Some(on) = on_plans.get(&listed.customer_id) {
                    *on
                } else {
                    let on = self.on_any_plan(&listed.customer_id, plans, at)?;
                    on_plans.insert(listed.customer_id.clone(), on);
                    on
                };
                if !on {
                    continue;
                }
            }
            kept.push(listed);
        }
        let total_filtered = kept.len();
        let count = |length: usize| u64::try_from(length).unwrap_or(u64::MAX);
        match paging {
            Paging::Cursor { after, limit } => {
                let after = after.as_ref().map(entity_cursor).transpose()?;
                let (page, next_cursor) = cursor_page(
                    kept,
                    after.as_ref(),
                    limit,
                    |listed| (listed.created_at, listed.row),
                    |listed| {
                        StandardCursor::new(
                            listed.row.to_string(),
                            u64::try_from(listed.created_at).unwrap_or_default(),
                        )
                    },
                );
                Ok(EntityPage::Cursor {
                    list: self.entities_of(&page, env, at)?,
                    next_cursor,
                })
            }
            Paging::Offset { offset, limit } => {
                let page: Vec<ListedEntity> = kept
                    .into_iter()
                    .skip(usize::try_from(offset).unwrap_or(usize::MAX))
                    .take(usize::try_from(limit).unwrap_or(usize::MAX))
                    .collect();
                let list = self.entities_of(&page, env, at)?;
                Ok(EntityPage::Offset {
                    total: count(list.len()),
                    has_more: offset.saturating_add(count(list.len())) < count(total_filtered),
                    list,
                    total_count: count(total_count),
                    total_filtered_count: count(total_filtered),
                    limit,
                    offset,
                })
            }
        }
    }

    /// Each entity listed, as `entities.get` answers it.
    fn entities_of(
        &mut self,
        listed: &[ListedEntity],
        env: &str,
        at: Instant,
    ) -> Result<Vec<Entity>, ApiError> {
        listed
            .iter()
            .map(|listed| {
                let operation = Operation::GetEntity {
                    customer_id: listed.customer_id.clone(),
                    entity_id: listed.id.clone(),
                };
                Ok(entity(&self.entity_view(&operation, at)?, env))
            })
            .collect()
    }

    /// Whether a customer is on one of `plans` now (a listed version of it, when versions are
    /// given): its entities inherit the customer's plans, having none of their own.
    fn on_any_plan(
        &mut self,
        customer_id: &str,
        plans: &[PlanFilter],
        at: Instant,
    ) -> Result<bool, ApiError> {
        let view = self.existing_customer(customer_id, at)?;
        Ok(view
            .subscriptions
            .iter()
            .filter(|subscription| subscription.ended_at.is_none())
            .any(|subscription| {
                plans.iter().any(|plan| {
                    plan.id == subscription.plan_id
                        && plan.versions.as_ref().is_none_or(|versions| {
                            versions.is_empty() || versions.contains(&subscription.version)
                        })
                })
            }))
    }

    /// `entities.update`: an entity's own billing controls. pricectl's controls are the plan's,
    /// the same for every entity of the customer, so a lane with an entry is refused by name; a
    /// lane given empty (the entity's controls replaced by none) is what the entity holds. The
    /// answer is the entity, as `entities.get` answers it.
    pub fn update_entity(
        &mut self,
        params: &UpdateEntityParams,
        env: &str,
        at: Instant,
    ) -> Result<Entity, ApiError> {
        let answer = self.entity(
            &EntityParams {
                customer_id: params.customer_id.clone(),
                entity_id: params.entity_id.clone(),
            },
            env,
            at,
        )?;
        let lanes = params
            .billing_controls
            .as_ref()
            .map(BillingControls::lanes_with_entries)
            .unwrap_or_default();
        match lanes.first() {
            Some(&"auto_topups") => {
                return Err(ApiError::invalid(
                    "billing_controls.auto_topups: an entity has no auto top-ups of its own (Autumn's entity billing controls have none); the customer turns its plans' top-ups on or off with `customers.update`",
                ));
            }
            Some(lane) => {
                return Err(ApiError::invalid(format!(
                    "billing_controls.{lane}: an entity's own {}: pricectl's billing controls are the plan's, the same for every entity of the customer",
                    lane.replace('_', " ")
                )));
            }
            None => {}
        }
        Ok(answer)
    }

    /// `entities.delete`: `{success: true}`, as Autumn answers.
    pub fn delete_entity(
        &mut self,
        params: &EntityParams,
        at: Instant,
    ) -> Result<Success, ApiError> {
        let operation = Operation::DeleteEntity {
            customer_id: customer_of_entity(params.customer_id.as_ref())?,
            entity_id: params.entity_id.clone(),
        };
        self.entity_view(&operation, at)?;
        Ok(Success { success: true })
    }

    fn entity_view(&mut self, operation: &Operation, at: Instant) -> Result<EntityView, ApiError> {
        match self.execute(operation, at)? {
            Outcome::Entity(view) => Ok(view),
            other => Err(unexpected(&other)),
        }
    }
}

/// The customer an entity request names (Autumn finds it from the entity when it is left
/// out; pricectl's entity ids are each customer's own).
fn customer_of_entity(customer_id: Option<&String>) -> Result<String, ApiError> {
    customer_id
        .cloned()
        .ok_or_else(|| ApiError::invalid("customer_id: name the customer the entity belongs to"))
}

/// Whether `entities.list`'s search finds an entity: `text` (lowercase) is part of its id or
/// its name, in any case (Autumn's `ILIKE '%text%'`).
fn found_by(listed: &ListedEntity, text: &str) -> bool {
    listed.id.to_lowercase().contains(text)
        || listed
            .name
            .as_ref()
            .is_some_and(|name| name.to_lowercase().contains(text))
}

/// Where a page cursor this server wrote says the previous page ended: the last entity's
/// creation time and row.
fn entity_cursor(cursor: &StandardCursor) -> Result<(i64, i64), ApiError> {
    let row = cursor.id.parse::<i64>().map_err(|_| {
        invalid_cursor(format!(
            "cursor shape mismatch: `{}` is no entity this server listed",
            cursor.id
        ))
    })?;
    let time = i64::try_from(cursor.t)
        .map_err(|_| invalid_cursor("cursor shape mismatch: its time is out of range".into()))?;
    Ok((time, row))
}

/// An entity as Autumn shows it: its balances, and no plans of its own (pricectl's plans are
/// a customer's).
fn entity(view: &EntityView, env: &str) -> Entity {
    Entity {
        id: Some(view.id.clone()),
        name: view.name.clone(),
        customer_id: Some(view.customer_id.clone()),
        feature_id: Some(view.feature_id.clone()),
        created_at: Instant::parse(&view.created_at).map_or(0, |instant| instant.0),
        env: env.to_string(),
        subscriptions: Vec::new(),
        purchases: Vec::new(),
        balances: view
            .balances
            .iter()
            .map(|view| (view.balance_key.clone(), balance(view)))
            .collect(),
        flags: BTreeMap::new(),
    }
}

/// The plan attached: its current version.
fn current_plan<'a>(catalog: &'a Catalog, plan_id: &str) -> Result<&'a Plan, ApiError> {
    catalog
        .plans
        .get(plan_id)
        .ok_or_else(|| ApiError::not_found(code::PRODUCT_NOT_FOUND, format!("no plan `{plan_id}`")))
}

/// The units bought per item: `quantity` less `included` when `total` (2.x), rounded up to
/// whole billing units, as Autumn does. Each quantity comes with the field that sent it
/// (`feature_quantities[0]`), which an error names.
fn bought<'a>(
    plan: &Plan,
    quantities: impl IntoIterator<Item = (String, &'a FeatureQuantity)>,
    total: bool,
) -> Result<BTreeMap<String, Decimal>, ApiError> {
    let mut bought = BTreeMap::new();
    for (index, quantity) in quantities {
        let Some(item) = plan.items.get(&quantity.feature_id) else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::INVALID_OPTIONS,
                format!(
                    "{index}.feature_id: plan `{}` has no item `{}`",
                    plan.id, quantity.feature_id
                ),
            ));
        };
        if quantity.quantity < Decimal::ZERO {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                code::INVALID_OPTIONS,
                format!("{index}.quantity: a quantity is zero or more"),
            ));
        }
        let included = match item.included {
            Included::Units(units) if total => units,
            _ => Decimal::ZERO,
        };
        let per = item.price.as_ref().map_or(Decimal::ONE, |price| price.per);
        let rest = (quantity.quantity - included).max(Decimal::ZERO);
        let packs = (rest / per).ceil();
        bought.insert(quantity.feature_id.clone(), (packs * per).normalize());
    }
    Ok(bought)
}

/// Each quantity of the list sent as `field`, with its place in it (`options[2]`).
fn fields<'a>(
    field: &'a str,
    quantities: &'a [FeatureQuantity],
) -> impl Iterator<Item = (String, &'a FeatureQuantity)> + 'a {
    quantities
        .iter()
        .enumerate()
        .map(move |(index, quantity)| (format!("{field}[{index}]"), quantity))
}

/// The feature a track names, directly or by one of its event names.
fn feature_of(catalog: &Catalog, params: &TrackParams) -> Result<String, ApiError> {
    match (&params.feature_id, &params.event_name) {
        (Some(feature_id), None) => Ok(feature_id.clone()),
        (None, Some(event)) => catalog
            .features
            .values()
            .find(|feature| feature.event_names.contains(event))
            .map(|feature| feature.id.clone())
            .ok_or_else(|| {
                ApiError::not_found(
                    code::FEATURE_NOT_FOUND,
                    format!("no feature counts the event `{event}`"),
                )
            }),
        _ => Err(ApiError::invalid(
            "Either feature_id or event_name must be provided",
        )),
    }
}

/// Where a subscription comes in Autumn's choice of the one `billing.update` changes when the
/// request names none (`PRODUCT_PRIORITY`, `findTargetCustomerProduct.ts`): lower first.
fn update_priority(plan: Option<&Plan>) -> u8 {
    let Some(plan) = plan else { return 4 };
    let recurring = is_recurring(plan);
    let paid = plan.price.is_some() || plan.items.values().any(|item| item.price.is_some());
    match (plan.add_on, recurring) {
        (false, true) if paid => 0,
        (false, true) => 1,
        (true, true) => 2,
        (_, false) => 3,
    }
}

/// The invoice of a quantity change: what it charged (or, negative, credited) now.
fn quantity_invoice(result: &QuantityResult) -> Invoice {
    Invoice {
        status: Some("paid".into()),
        stripe_id: format!("pricectl_charge_{}", result.subscription_id),
        total: result.charge.total,
        currency: result.charge.currency.to_lowercase(),
        hosted_invoice_url: None,
    }
}

fn invoice(result: &AttachResult) -> Invoice {
    Invoice {
        status: Some("paid".into()),
        stripe_id: format!("pricectl_charge_{}", result.subscription_id),
        total: result.charge.total,
        currency: result.charge.currency.to_lowercase(),
        hosted_invoice_url: None,
    }
}

/// A balance as Autumn shows it: granted is what the lots held, remaining what is left.
fn balance(view: &BalanceView) -> Balance {
    let granted: Decimal = view
        .lots
        .iter()
        .map(|lot| lot.granted)
        .filter(|granted| *granted > Decimal::ZERO)
        .sum();
    let next_reset_at = view
        .lots
        .iter()
        .filter_map(|lot| lot.expires_at.as_deref())
        .filter_map(|text| Instant::parse(text).ok())
        .map(|instant| instant.0)
        .min();
    Balance {
        feature_id: view.balance_key.clone(),
        granted: granted.normalize(),
        remaining: view.balance.normalize(),
        usage: (granted - view.balance).normalize(),
        unlimited: view.unlimited,
        overage_allowed: view.overage_allowed,
        max_purchase: None,
        next_reset_at,
    }
}

/// A customer as Autumn shows it: recurring plans are subscriptions, one-off ones purchases.
fn customer(
    view: &CustomerView,
    catalog: &Catalog,
    flags: BTreeMap<String, Flag>,
    billing_controls: serde_json::Map<String, serde_json::Value>,
    env: &str,
) -> Customer {
    let milliseconds = |text: &str| Instant::parse(text).map_or(0, |instant| instant.0);
    let mut subscriptions = Vec::new();
    let mut purchases = Vec::new();
    for subscription in view
        .subscriptions
        .iter()
        .filter(|subscription| subscription.ended_at.is_none())
    {
        let plan = catalog.plans.get(&subscription.plan_id);
        let started_at = milliseconds(&subscription.started_at);
        let quantity = Decimal::ONE;
        if plan.is_some_and(is_recurring) {
            subscriptions.push(Subscription {
                id: subscription.id.to_string(),
                plan_id: subscription.plan_id.clone(),
                auto_enable: plan.is_some_and(|plan| plan.default),
                add_on: plan.is_some_and(|plan| plan.add_on),
                status: SubscriptionStatus::Active,
                past_due: false,
                canceled_at: None,
                expires_at: None,
                trial_ends_at: None,
                started_at,
                current_period_start: None,
                current_period_end: None,
                quantity,
            });
        } else {
            purchases.push(Purchase {
                plan_id: subscription.plan_id.clone(),
                expires_at: None,
                started_at,
                quantity,
            });
        }
    }
    Customer {
        id: Some(view.id.clone()),
        name: view.name.clone(),
        email: view.email.clone(),
        created_at: milliseconds(&view.created_at),
        fingerprint: None,
        stripe_id: None,
        env: env.to_string(),
        metadata: serde_json::Map::new(),
        send_email_receipts: false,
        billing_controls,
        subscriptions,
        purchases,
        licenses: Vec::new(),
        balances: view
            .balances
            .iter()
            .map(|view| (view.balance_key.clone(), balance(view)))
            .collect(),
        flags,
    }
}

/// Whether a plan charges or resets by period (a subscription), rather than once (a purchase).
fn is_recurring(plan: &Plan) -> bool {
    plan.price
        .is_some_and(|price| price.interval != PriceInterval::OneOff)
        || plan.items.values().any(|item| {
            item.reset.is_some()
                || item
                    .price
                    .as_ref()
                    .is_some_and(|price| price.interval != PriceInterval::OneOff)
        })
        || (plan.price.is_none() && plan.items.values().all(|item| item.price.is_none()))
}

/// An outcome of another kind than the operation answers: a bug, reported as a 500.
fn unexpected(outcome: &Outcome) -> ApiError {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        code::INTERNAL_ERROR,
        format!("the ledger answered an unexpected outcome: {outcome:?}"),
    )
}

/// A plan attached to (or changed for) an entity: Autumn can hold a plan per entity, pricectl's
/// plans are the customer's, so such a request is refused by name rather than applied to the
/// customer as a whole.
fn refuse_entity(field: &str, entity_id: Option<&str>) -> Result<(), ApiError> {
    match entity_id {
        Some(entity_id) => Err(ApiError::invalid(format!(
            "{field}: pricectl's plans are a customer's, not an entity's (`{entity_id}`); leave it out"
        ))),
        None => Ok(()),
    }
}
