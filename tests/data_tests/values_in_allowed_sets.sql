-- coded values outside their allowed sets (the raw contract)
select 'orders.status' as field, status as value from orders
where status not in ('completed', 'cancelled', 'returned')
union all
select 'customers.region', region from customers
where region not in ('east', 'north', 'south', 'central', 'southwest', 'northwest', 'northeast')
union all
select 'web_events.event_type', event_type from web_events
where event_type not in ('visit', 'product_view', 'add_to_cart', 'checkout_start', 'purchase')
union all
select 'membership_events.to_tier', to_tier from membership_events
where to_tier not in ('normal', 'silver', 'gold', 'diamond')
union all
select 'interactions.satisfaction', cast(satisfaction as varchar) from interactions
where satisfaction not between 1 and 5
union all
select 'reviews.rating', cast(rating as varchar) from reviews
where rating not between 1 and 5
