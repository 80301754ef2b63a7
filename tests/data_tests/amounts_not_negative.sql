-- money and quantities below zero
select 'orders' as source, order_id as row_key from orders where amount < 0 or discount < 0
union all
select 'order_items', order_id from order_items where line_amount < 0 or unit_price < 0 or quantity <= 0
union all
select 'products', product_id from products where list_price < 0
union all
select 'campaigns', campaign_id from campaigns where cost < 0
