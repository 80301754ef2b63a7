-- rows that point to a customer, order, product, manager or campaign that does not exist
select 'orders.customer_id' as reference, count(*) as count_rows
from orders where customer_id not in (select customer_id from customers)
having count(*) > 0
union all
select 'order_items.order_id', count(*)
from order_items where order_id not in (select order_id from orders)
having count(*) > 0
union all
select 'order_items.product_id', count(*)
from order_items where product_id not in (select product_id from products)
having count(*) > 0
union all
select 'web_events.customer_id', count(*)
from web_events where customer_id not in (select customer_id from customers)
having count(*) > 0
union all
select 'web_events.order_id', count(*)
from web_events where order_id is not null and order_id not in (select order_id from orders)
having count(*) > 0
union all
select 'interactions.customer_id', count(*)
from interactions where customer_id not in (select customer_id from customers)
having count(*) > 0
union all
select 'interactions.order_id', count(*)
from interactions where order_id is not null and order_id not in (select order_id from orders)
having count(*) > 0
union all
select 'reviews.order_id', count(*)
from reviews where order_id not in (select order_id from orders)
having count(*) > 0
union all
select 'membership_events.customer_id', count(*)
from membership_events where customer_id not in (select customer_id from customers)
having count(*) > 0
union all
select 'points_ledger.customer_id', count(*)
from points_ledger where customer_id not in (select customer_id from customers)
having count(*) > 0
union all
select 'customers.account_manager_id', count(*)
from customers
where account_manager_id is not null and account_manager_id not in (select manager_id from account_managers)
having count(*) > 0
union all
select 'campaign_sends.campaign_id', count(*)
from campaign_sends where campaign_id not in (select campaign_id from campaigns)
having count(*) > 0
union all
select 'campaign_sends.customer_id', count(*)
from campaign_sends where customer_id not in (select customer_id from customers)
having count(*) > 0
