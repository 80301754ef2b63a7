-- orders, events or tier changes before the customer signed up
select 'orders' as source, orders.order_id as row_key
from orders inner join customers using (customer_id)
where orders.ordered_at < customers.signed_up_at
union all
select 'web_events', web_events.event_id
from web_events inner join customers using (customer_id)
where web_events.event_at < customers.signed_up_at
union all
select 'membership_events', membership_events.event_id
from membership_events inner join customers using (customer_id)
where membership_events.changed_at < customers.signed_up_at
